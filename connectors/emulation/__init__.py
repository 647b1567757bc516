"""What the emulators share: HTTP servers on 127.0.0.1 and the neutral order model."""
