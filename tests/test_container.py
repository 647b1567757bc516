"""The Dockerfile and compose.yaml, linted for the essentials (building the image is not part of the suite).

The Dockerfile is read instruction by instruction (continuation lines joined): a slim Python
base, a non-root user for the final stage, a health check on /healthz, `kpibot serve` as the
entry point (exec form, so SIGTERM reaches kpibot), and nothing secret baked in (no ENV or ARG
holding a token, password or key, no credentials or databases copied). compose.yaml must run
two kpibot services on PostgreSQL with the database URL and every secret taken from the environment.
"""

from __future__ import annotations

import json
import re

import yaml

from tests.support.paths import ROOT

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_KEY|PRIVATE_KEY", re.IGNORECASE)
SECRET_VALUE = re.compile(r"xox[abpr]-|xapp-|-----BEGIN|postgres(?:ql)?://[^/\s:@]+:[^@\s]+@")
SECRET_FILE = re.compile(r"\.env$|\.json$|\.db$|\.pem$|\.key$|kpibot\.toml$")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    kept = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    joined = re.sub(r"\s*\\\n\s*", " ", kept)
    return [(parts[0].upper(), parts[1].strip() if len(parts) > 1 else "")
            for parts in (line.split(None, 1) for line in joined.splitlines() if line.strip())]


def problems(steps: list[tuple[str, str]]) -> list[str]:
    """What the Dockerfile gets wrong, one phrase each; [] when it has every essential."""
    found = []
    bases = [arguments.split()[0] for name, arguments in steps if name == "FROM"]
    if not bases or not all(re.fullmatch(r"python:3\.1[1-9][\w.]*-slim(-\w+)?", base) for base in bases):
        found.append("base not slim python")
    final = steps[max(index for index, (name, _) in enumerate(steps) if name == "FROM"):] if bases else steps
    users = [index for index, (name, _) in enumerate(final) if name == "USER"]
    if not users or final[users[-1]][1].split(":")[0] in ("root", "0"):
        found.append("runs as root")
    elif any(name == "RUN" for name, _ in final[users[-1]:]):
        found.append("RUN after USER")
    checks = [arguments for name, arguments in final if name == "HEALTHCHECK"]
    if not checks or checks[-1].startswith("NONE") or "/healthz" not in checks[-1]:
        found.append("no health check on /healthz")
    entries = [arguments for name, arguments in final if name == "ENTRYPOINT"]
    try:
        entry = json.loads(entries[-1]) if entries else []
    except ValueError:
        entry = []  # shell form: sh would get SIGTERM, not kpibot
    if entry[:1] != ["kpibot"] or "serve" not in entry:
        found.append("entry point not kpibot serve (exec form)")
    for name, arguments in steps:
        if name in ("ENV", "ARG", "LABEL") and SECRET_NAME.search(arguments) or SECRET_VALUE.search(arguments):
            found.append(f"secret in {name}")
        if name in ("COPY", "ADD") and any(SECRET_FILE.search(part) for part in arguments.split()[:-1]
                                           if not part.startswith("--")):
            found.append(f"secret file in {name}")
    return found


def test_the_dockerfile_has_every_essential():
    assert problems(instructions((ROOT / "Dockerfile").read_text())) == []
    ignored = set((ROOT / ".dockerignore").read_text().splitlines())
    assert {".env", "*.db", "*.json", ".venv", "kpibot.toml"} <= ignored  # not even in the build context


def test_the_lint_catches_what_it_is_for():
    bad = ("FROM python:3.11\nENV SLACK_BOT_TOKEN=xoxb-1 \\\n  OTHER=1\nCOPY .env /app/\nUSER root\n"
           "ENTRYPOINT kpibot serve\n")
    assert instructions(bad)[1] == ("ENV", "SLACK_BOT_TOKEN=xoxb-1 OTHER=1")
    assert problems(instructions(bad)) == ["base not slim python", "runs as root", "no health check on /healthz",
                                           "entry point not kpibot serve (exec form)", "secret in ENV",
                                           "secret file in COPY"]
    leaked = 'FROM python:3.11-slim\nUSER 1000\nHEALTHCHECK CMD curl -f http://127.0.0.1:3000/healthz\n' \
             'ENTRYPOINT ["kpibot", "serve"]\nCMD ["--db", "postgresql://kpibot:hunter2@db/kpibot"]\n'
    assert problems(instructions(leaked)) == ["secret in CMD"]


def test_compose_runs_two_kpibot_processes_on_postgresql_with_secrets_from_the_environment():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    kpibots = [service for service in services.values() if service.get("build")]
    databases = [name for name, service in services.items() if str(service.get("image", "")).startswith("postgres")]
    assert len(kpibots) == 2 and len(databases) == 1
    for service in kpibots:
        environment = service["environment"]
        assert environment["KPIBOT_DATABASE_URL"].startswith("${KPIBOT_DATABASE_URL")
        assert databases[0] in service["depends_on"]
        for name, value in [*environment.items(), *services[databases[0]]["environment"].items()]:
            if SECRET_NAME.search(name) and name != "GOOGLE_APPLICATION_CREDENTIALS":  # that one is a file path
                assert str(value).startswith("${"), f"{name} must come from the environment"
            assert not SECRET_VALUE.search(str(value))
