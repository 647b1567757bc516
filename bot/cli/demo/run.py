"""The demo: emulator, a real sync through the official client, then what kpibot shows.

Each step is a function so the demo reads as the story it tells.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console

from bot.cli.context import today_in
from bot.cli.demo.marketing import MARKETING_EXAMPLES, marketing_config, start_marketing_sync
from bot.cli.demo.orders import orders_alongside, show_tracking_outage
from bot.cli.demo.store import demo_store
from bot.cli.demo.warm import DEMO_MARK, demo_stamp, mark_complete, prepare_warehouse
from bot.cli.progress import sync_progress
from bot.i18n import t
from bot.render.anomalies import anomaly_line
from bot.render.charts import answer_chart, digest_chart
from bot.render.digest import digest_message
from bot.render.formatting import format_value
from bot.render.terminal import print_slack_text, to_rich
from bot.replies import reply
from connectors.demo.shop import PLANTED_ANOMALIES, build_demo_shop
from connectors.ga4.client import build_client
from connectors.ga4.emulator.server import serve_emulator
from connectors.ga4.sync import plan_range, sync_store
from connectors.warehouse import Warehouse, open_database
from kpi.anomalies.detect import detect
from kpi.charts import chart_series
from kpi.query.parser import parse
from kpi.settings import StoreSettings
from schedules.digest import build_digest


def run_demo(args: argparse.Namespace) -> int:

    console = Console()
    started = time.perf_counter()
    store = demo_store(args.lang)
    as_of = args.as_of or today_in(store.timezone)
    db_path = Path(args.db)
    out = db_path.parent
    console.rule(f"[bold]kpibot demo[/] · {store.name} · {as_of}")
    stamp = demo_stamp(as_of, args.days)
    warm = prepare_warehouse(db_path, stamp)
    shop = build_demo_shop(as_of, args.days)
    with orders_alongside(shop, store, db_path) as orders, ThreadPoolExecutor(1) as pool:
        # the shop's Shopify sync and the Klaviyo and Meta syncs run beside GA4's, each on its own connection
        marketing = start_marketing_sync(pool, db_path, shop, store, as_of, lambda: datetime.now(UTC))
        with serve_emulator(shop) as emulator:
            console.print(f"GA4 emulator running on {emulator.url} ({args.days} days of a demo shop).")
            db = open_database(db_path)
            sync_demo(db, emulator.url, store, as_of, args.days, warm)
        console.print(orders.wait())
        console.print(marketing.result().summary())
    show_summary(console, db, store)
    for step in demo_steps():
        step(console, db, store, as_of, out)
    config = write_config(db_path, store, as_of)
    mark_complete(db_path, stamp)
    console.rule()
    console.print(f"Done in {time.perf_counter() - started:.1f} s. In [bold]{out}/[/]: the SQLite warehouse, "
                  "kpibot.toml, Block Kit JSON of the digest and answers (paste into Slack's Block Kit Builder) "
                  "and PNG charts.")
    option = f"--config {config}"
    console.print("Try next:")
    for example in (f'.venv/bin/kpibot {option} ask "fatturato mtd by channel" --as-of {as_of}',
                    f'.venv/bin/kpibot {option} ask "roas last-30d by channel" --as-of {as_of} --json',
                    f".venv/bin/kpibot {option} anomalies sessions last-90d --as-of {as_of}",
                    f".venv/bin/kpibot {option} digest --as-of {as_of} --json",
                    f'.venv/bin/kpibot {option} ask "fatturato-negozio last-30d by product_type" --as-of {as_of}',
                    ".venv/bin/kpibot demo --lang en"):
        console.print(f"  [bold]{example}[/]", highlight=False)
    return 0


def sync_demo(db: Warehouse, url: str, store: StoreSettings, as_of: date, days: int, warm: bool) -> None:
    """The demo's whole history on a first run; on a warm one GA4's re-pull window, as `kpibot sync`."""
    start = plan_range(db, store.name, as_of)[0] if warm else as_of - timedelta(days=days)
    client = build_client({"KPIBOT_GA4_ENDPOINT": url})
    with sync_progress(store.name) as progress:
        result = sync_store(db, client, store.name, store.ga4_property, start, as_of - timedelta(days=1),
                            clock=lambda: datetime.now(UTC), progress=progress)
    print(f"Synced {result.rows} rows in {result.requests} GA4 requests ({start} to {as_of - timedelta(days=1)}).")


def show_summary(console: Console, db: Warehouse, store: StoreSettings) -> None:

    span = db.data_span(store.name, "sessions")
    assert span is not None, "the demo sync stored nothing"
    first, last = span
    sessions, orders, revenue = (db.sums(store.name, "sessions", measure, first, last)[""]
                                 for measure in ("sessions", "orders", "revenue"))
    console.print(f"Stored {first} to {last}: {format_value(sessions, 'count', store.currency, store.language)} "
                  f"sessions, {format_value(orders, 'count', store.currency, store.language)} orders, "
                  f"{format_value(revenue, 'currency', store.currency, store.language)} revenue.")


DemoStep = Callable[[Console, Warehouse, StoreSettings, date, Path], None]
EXAMPLES = ("aov last-30d", "revenue last-7d by channel", "cvr yesterday vs ly", "tasso-riacquisto ytd by segment")


def demo_steps() -> list[DemoStep]:
    """What the demo shows after the sync, in order."""
    return [show_digest, show_answers, show_marketing_answers, show_alerts, show_tracking_outage]


def show_digest(console: Console, db: Warehouse, store: StoreSettings, as_of: date, out: Path) -> None:

    digest = build_digest(db, store, as_of)
    blocks, text = digest_message(digest)
    console.rule(t("digest_heading", store.language))
    print_slack_text(console, text)
    _write_json(out / "digest.blocks.json", {"blocks": blocks})
    (out / "digest-revenue-30d.png").write_bytes(digest_chart(digest))


def show_answers(console: Console, db: Warehouse, store: StoreSettings, as_of: date, out: Path) -> None:

    console.rule("/kpi")
    _show_replies(console, db, store, as_of, out, EXAMPLES)


def show_marketing_answers(console: Console, db: Warehouse, store: StoreSettings, as_of: date, out: Path) -> None:
    """Klaviyo and Meta in answers: ad cost over every platform, Klaviyo's share by flow, the MER."""
    _show_replies(console, db, store, as_of, out, MARKETING_EXAMPLES)


def _show_replies(console: Console, db: Warehouse, store: StoreSettings, as_of: date, out: Path,
                  examples: tuple[str, ...]) -> None:
    for text in examples:
        answered = reply(db, store, parse(text), text, as_of)
        console.print(f"[bold cyan]/kpi {text}[/]")
        print_slack_text(console, answered.text)
        console.print()
        name = text.replace(" ", "_")
        _write_json(out / f"answer-{name}.blocks.json", {"blocks": answered.blocks})
        series = chart_series(db, store, answered.answer) if answered.answer else None
        if series is not None:
            (out / f"answer-{name}.png").write_bytes(answer_chart(series, store))


def show_alerts(console: Console, db: Warehouse, store: StoreSettings, as_of: date, out: Path) -> None:

    found = detect(db, store, as_of)
    console.rule(t("anomalies_heading", store.language))
    for planted in PLANTED_ANOMALIES:
        days = set(planted.dates(as_of))
        hits = [a for a in found if a.date in days]
        console.print(f"[bold]{planted.name}[/] — {planted.description}")
        for hit in hits:
            console.print("   " + to_rich(anomaly_line(hit, store)), highlight=False)
        if not hits:
            console.print("   (not flagged)")
    others = [a for a in found if all(a.date not in set(p.dates(as_of)) for p in PLANTED_ANOMALIES)]
    for other in others:
        console.print("   " + to_rich(anomaly_line(other, store)), highlight=False)




def write_config(db_path: Path, store: StoreSettings, as_of: date) -> Path:
    """``kpibot.toml`` beside the warehouse: its ``database`` is the file's name, which the config loader
    resolves against the toml's own folder, so it names the demo's database whatever ``--db`` was."""
    path = db_path.parent / "kpibot.toml"
    if path.exists() and not path.read_text(errors="replace").startswith(DEMO_MARK):
        path = db_path.parent / "kpibot-demo.toml"  # never overwrite a config the demo did not write
    database = json.dumps(db_path.name)  # a JSON string is a valid TOML basic string
    path.write_text(
        f'{DEMO_MARK}\n[kpibot]\ndatabase = {database}\nlanguage = "{store.language}"\n\n'
        f'[[stores]]\nname = "{store.name}"\n'
        f'ga4_property = "{store.ga4_property}"\nlanguage = "{store.language}"\nchannels = ["C0DEMO"]\n'
        f'digest_channel = "C0DEMO"\nalert_channel = "C0DEMO"\ncountry = "{store.country}"\n\n[stores.targets]\n'
        f'aov = {{ min = 60.0 }}\ncvr = {{ min = 0.015 }}\nrevenue = {{ min = 360000.0, period = "month" }}\n'
        + (marketing_config(store) if store.klaviyo and store.meta_ads else "")
        + (f'\n[stores.shopify]\nshop = "{store.shopify.shop}"\ntoken_env = "{store.shopify.token_env}"\n'
           if store.shopify else "")
        + "".join(f'\n[[stores.events]]\nname = "{e.name}"\nstart = {e.start}\nend = {e.end}\n'
                  for e in store.events if as_of.year - 4 <= e.start.year <= as_of.year + 1))
    return path


def _write_json(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
