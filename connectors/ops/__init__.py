"""What operators watch: Prometheus metrics, log context, and a health probe of the warehouse."""
