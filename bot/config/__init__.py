"""Loading and validating ``kpibot.toml`` into typed settings, every problem named with its key."""
