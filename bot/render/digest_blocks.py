"""The digest as Block Kit, with its full text as the fallback."""

from __future__ import annotations

from typing import Any

from bot.render.blocks import MESSAGE_BLOCKS, button, context, section
from bot.render.digest_text import digest_lines, header
from schedules.digest import Digest

BUTTONS = {"it": ("Per canale", "Per dispositivo", "Apri la dashboard"),
           "en": ("By channel", "By device", "Open dashboard")}


def digest_blocks(digest: Digest) -> tuple[list[dict[str, Any]], str]:
    lines = digest_lines(digest)
    title, subtitle = header(digest)
    body = "\n".join(lines[3:])  # the title and subtitle get their own blocks
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        context(subtitle),
    ]
    for part in body.split("\n\n"):
        if part.strip():
            blocks.append(section(part))
    by_channel, by_device, dashboard = BUTTONS.get(digest.store.language, BUTTONS["en"])
    value = {"store": digest.store.name, "q": f"revenue {digest.day.isoformat()}"}
    blocks.append({"type": "actions", "elements": [
        button(by_channel, "kpi_by_channel", value), button(by_device, "kpi_by_device", value),
        button(dashboard, "open_dashboard", {"store": digest.store.name})]})
    return blocks[:MESSAGE_BLOCKS], "\n".join(lines)


def correction_note(digest: Digest, before: dict[str, float | None]) -> str:
    """One line saying what changed once GA4's data became final."""
    from bot.i18n import label
    from bot.render.formatting import format_value
    from kpi.catalogue import BY_NAME

    store = digest.store
    after = digest.key_figures()
    changes = []
    for name, old in before.items():
        new = after.get(name)
        if old != new:
            metric = BY_NAME[name]
            old_text, new_text = (format_value(v, metric.unit, store.currency, store.language) for v in (old, new))
            changes.append(f"{label(metric, store.language)} {old_text} → {new_text}")
    if store.language == "it":
        return ":pencil2: Aggiornato con i dati definitivi di GA4: " + ("; ".join(changes) or "nessuna variazione")
    return ":pencil2: Updated with GA4's final data: " + ("; ".join(changes) or "no changes")
