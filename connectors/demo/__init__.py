"""The built-in demo shop: one deterministic shop that every emulator serves a face of."""
