"""What people set from Slack themselves: targets and alert rules (admins), scheduled reports (members)."""
