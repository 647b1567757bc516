"""A GA4 Data API emulator: a real HTTP server speaking ``runReport``, with its fault modes."""
