"""The page's play loop (sim.app.player) on a fake clock: the model steps at the
requested weeks per second whatever the pictures cost, a picture is asked for at most
every min_gap seconds (or as long as the last one took), a backlog is dropped, and
stopping is prompt and ends with a picture of where it stopped."""

from __future__ import annotations

import threading

from sim.app.player import Player


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def idle(self, stop, seconds) -> None:
        self.now += seconds


def _play(rate, draw_cost, seconds, step_cost=0.0, min_gap=0.25):
    t = FakeTime()
    stop = threading.Event()
    weeks, pictures = [], []

    def step():
        t.now += step_cost
        weeks.append(t.now)
        if t.now >= seconds:
            stop.set()

    def draw():
        t.now += draw_cost
        pictures.append((len(weeks), t.now))

    player = Player(step=step, draw=draw, rate=lambda: rate, min_gap=min_gap,
                    clock=t.clock, idle=t.idle)
    player.run(stop)
    return player, weeks, pictures


def test_steps_keep_to_the_rate_and_pictures_to_the_gap():
    player, weeks, pictures = _play(rate=20, draw_cost=0.01, seconds=10)
    assert 195 <= len(weeks) <= 202  # 20 weeks a second for 10 s
    gaps = [b - a for (_, a), (_, b) in zip(pictures, pictures[1:])]
    assert min(gaps[:-1]) >= 0.25 - 1e-9  # never more than four pictures a second
    assert 35 <= len(pictures) <= 42
    assert pictures[-1][0] == len(weeks)  # the last picture shows the last week


def test_a_slow_picture_spaces_the_next_and_the_weeks_go_on():
    player, weeks, pictures = _play(rate=10, draw_cost=0.6, seconds=20)
    gaps = [b - a for (_, a), (_, b) in zip(pictures, pictures[1:])]
    assert min(gaps[:-1]) >= 1.2 - 1e-9  # 0.6 s to draw, then 0.6 s of stepping
    # half the time goes to pictures, and steps the drawing delayed are caught up
    assert len(weeks) >= 0.9 * 10 * 20


def test_steps_slower_than_the_rate_are_not_queued():
    player, weeks, _ = _play(rate=20, draw_cost=0.0, seconds=10, step_cost=0.2)
    assert len(weeks) <= 10 / 0.2 + 1  # the model's own speed, no burst of queued steps


def test_stop_ends_after_the_current_step_with_a_picture():
    t = FakeTime()
    stop = threading.Event()
    pictures = []

    def step():
        t.now += 0.01
        if t.now > 0.1:
            stop.set()  # pressed during a step

    player = Player(step=step, draw=lambda: pictures.append(t.now), rate=lambda: 100,
                    clock=t.clock, idle=t.idle)
    player.run(stop)
    assert player.steps == 11 and pictures  # the step under way finished, then a picture


def test_a_model_that_stops_stops_the_loop():
    calls = []
    t = FakeTime()
    player = Player(step=lambda: calls.append(1) or len(calls) < 5, draw=lambda: None,
                    rate=lambda: 50, clock=t.clock, idle=t.idle)
    player.run(threading.Event())
    assert len(calls) == 5 and player.steps == 4
