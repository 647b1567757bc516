"""The ``kpibot`` command line and the composition root (the only place that reads the environment and clock)."""
