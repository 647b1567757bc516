"""Just enough GraphQL for the emulator: read a document's fields and arguments, and price it.

Not a GraphQL implementation: it reads the selection sets of the documents a client
sends (fields, arguments, variables, inline fragments) so the emulator can tell which
operation it is and what it costs by Shopify's rule (object 1, scalar 0, connection
2 + first × node), independently of what the client believes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\.\.\.|[{}():,!$@=\[\]]|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\S')
FREE = {"pageInfo", "edges", "__typename"}  # priced with their connection


class GraphQLSyntaxError(ValueError):
    pass


@dataclass
class Field:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    selections: list[Field] = field(default_factory=list)

    def child(self, name: str) -> Field | None:
        return next((f for f in self.selections if f.name == name), None)

    @property
    def is_connection(self) -> bool:
        return self.child("edges") is not None or self.child("nodes") is not None

    def node(self) -> Field | None:
        edges = self.child("edges")
        return edges.child("node") if edges else self.child("nodes")


@dataclass
class Document:
    kind: str  # query | mutation
    fields: list[Field]

    def root(self) -> Field:
        if len(self.fields) != 1:
            raise GraphQLSyntaxError("the emulator answers one root field per request")
        return self.fields[0]


def parse(text: str, variables: dict[str, Any] | None = None) -> Document:
    tokens = [t for t in TOKEN.findall(text) if not t.startswith("#")]
    reader = _Reader(tokens, variables or {})
    kind = "query"
    if reader.peek() in ("query", "mutation"):
        kind = reader.take()
        if reader.peek() not in ("{", "("):
            reader.take()  # the operation's name
        if reader.peek() == "(":
            reader.skip_group("(", ")")  # variable definitions
    return Document(kind, reader.selection_set())


class _Reader:
    def __init__(self, tokens: list[str], variables: dict[str, Any]) -> None:
        self.tokens, self.variables, self.at = tokens, variables, 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise GraphQLSyntaxError(f"expected {expected or 'more'} at token {self.at}, got {token!r}")
        self.at += 1
        return token

    def skip_group(self, opening: str, closing: str) -> None:
        depth = 0
        while True:
            token = self.take()
            depth += (token == opening) - (token == closing)
            if depth == 0:
                return

    def selection_set(self) -> list[Field]:
        self.take("{")
        fields: list[Field] = []
        while self.peek() != "}":
            if self.peek() == "...":
                self.take()
                if self.peek() == "on":
                    self.take()
                    self.take()  # the type condition
                fields += self.selection_set()
                continue
            fields.append(self.field())
        self.take("}")
        return fields

    def field(self) -> Field:
        name = self.take()
        if self.peek() == ":":  # an alias
            self.take()
            name = self.take()
        found = Field(name)
        if self.peek() == "(":
            found.arguments = self.arguments()
        if self.peek() == "{":
            found.selections = self.selection_set()
        return found

    def arguments(self) -> dict[str, Any]:
        self.take("(")
        values: dict[str, Any] = {}
        while self.peek() != ")":
            name = self.take()
            self.take(":")
            values[name] = self.value()
            if self.peek() == ",":
                self.take()
        self.take(")")
        return values

    def value(self) -> Any:
        token = self.take()
        if token == "$":
            return self.variables.get(self.take())
        if token.startswith('"'):
            return bytes(token[1:-1], "utf-8").decode("unicode_escape")
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        if token in ("true", "false"):
            return token == "true"
        if token == "null":
            return None
        return token  # an enum such as UPDATED_AT


def cost(fields: list[Field]) -> int:
    """What Shopify would charge for these selections before running them."""
    total = 0
    for found in fields:
        if not found.selections or found.name in FREE:
            continue
        if found.is_connection:
            node = found.node()
            size = int(found.arguments.get("first") or found.arguments.get("last") or 0)
            total += 2 + size * (1 + cost(node.selections) if node else 0)
        else:
            total += 1 + cost(found.selections)
    return total
