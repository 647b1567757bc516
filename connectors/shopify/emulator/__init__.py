"""A Shopify Admin GraphQL emulator: a real HTTP server for tests, benchmarks and trying kpibot out."""
