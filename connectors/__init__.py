"""Sources (GA4, order files) and the SQLite warehouse. Knows nothing about Slack."""
