"""A GA4 Data API emulator: a real HTTP server speaking ``runReport``, with a demo shop."""
