"""Orders from every source (CSV exports, Shopify, WooCommerce): parsing, one counting rule, storage."""
