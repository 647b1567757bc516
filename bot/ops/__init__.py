"""What operators see of a running kpibot: /metrics, /healthz and its log lines."""
