"""WooCommerce: the REST API v3 client, parsing, sync and an emulator."""
