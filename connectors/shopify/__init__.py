"""Shopify: the Admin GraphQL client, bulk exports, parsing, sync and an emulator."""
