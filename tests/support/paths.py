"""Where the repository's files are, for tests at any depth."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_DBS = ROOT / ".pytest_cache" / "kpibot-demo-dbs"  # synced demo warehouses, kept between runs
