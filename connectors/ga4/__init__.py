"""GA4: the official client, reports declared as data, checked fetches and syncs, and its emulator."""
