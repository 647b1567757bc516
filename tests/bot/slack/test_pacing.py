"""At most one message per second per channel, counted where Slack counts them: on arrival.

The pace is measured from the previous call's *answer*, so a request that takes long to leave
a busy process cannot arrive less than the interval after the one before it.
"""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest

from bot.slack.client import ChannelPacer, build_slack_client
from bot.slack.posters import SlackAlertPoster
from kpi.settings import StoreSettings
from tests.fakes.slack_api import fake_slack
from tests.support.slack import TOKEN


def test_the_next_message_waits_the_interval_after_the_previous_one_was_answered():
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = ChannelPacer(clock=lambda: now[0], sleep=sleep)
    with pacer.paced("C1"):
        now[0] += 0.4  # Slack took 0.4 s to answer
    with pacer.paced("C1"):
        pass
    assert slept == [pytest.approx(1.0)]  # a full second from the answer, not 0.6 s from the start
    with pacer.paced("C2"):  # another channel has its own pace
        pass
    assert len(slept) == 1


def test_notices_posted_at_once_to_one_channel_arrive_an_interval_apart():
    interval = 0.2
    store = StoreSettings(name="shop", ga4_property="1", alert_channel="C1", channels=("C1",))
    with fake_slack() as slack:
        poster = SlackAlertPoster(build_slack_client({"SLACK_BOT_TOKEN": TOKEN, "KPIBOT_SLACK_API_URL":
                                                      slack.api_url}), ChannelPacer(interval=interval))
        threads = [threading.Thread(target=poster.notice, args=(store, f"notice {n}", {})) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        arrivals = sorted(call.at for call in slack.of("chat.postMessage"))
    assert len(arrivals) == 4
    assert min(later - earlier for earlier, later in pairwise(arrivals)) >= interval
