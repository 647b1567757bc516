"""Anomaly detection (SPEC §8): baselines, calendars, the detector and its evaluation."""
