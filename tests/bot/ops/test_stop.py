"""`serve` stops however early SIGTERM comes: one caught before uvicorn took the signals over is not lost."""

from __future__ import annotations

import threading

from slack_bolt import App

from bot.slack.http import serve_forever
from tests.support.slack import SECRET, TOKEN


def test_a_stop_asked_before_the_http_server_is_up_still_stops_it():
    app = App(token=TOKEN, signing_secret=SECRET, token_verification_enabled=False)
    stop = threading.Event()
    stop.set()  # serve's own handler took the SIGTERM while the server was still starting
    serving = threading.Thread(target=serve_forever, args=(app, "127.0.0.1", 0, None, stop), daemon=True)
    serving.start()
    serving.join(timeout=30)
    assert not serving.is_alive()
