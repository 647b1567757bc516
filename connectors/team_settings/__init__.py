"""What a team sets from Slack and kpibot keeps: target overrides, alert rules, scheduled reports."""
