"""Rate limits keyed on a salted hash that rotates daily: no address can be recovered,
and yesterday's buckets are gone."""

from __future__ import annotations

from helpdesk.feedback.limits import ClientLimiter, RateLimit


class Clock:
    def __init__(self) -> None:
        self.day = "2026-12-03"
        self.seconds = 0.0

    def today(self) -> str:
        return self.day

    def now(self) -> float:
        return self.seconds


def test_a_client_gets_its_burst_then_waits_for_the_bucket_to_refill() -> None:
    clock = Clock()
    limiter = ClientLimiter(RateLimit(3, 0.5), day=clock.today, monotonic=clock.now)
    assert [limiter.take("10.0.0.1", "ua") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("10.0.0.1", "ua") == 2.0
    assert limiter.take("10.0.0.2", "ua") == 0.0  # another client has its own bucket
    clock.seconds += 2.0
    assert limiter.take("10.0.0.1", "ua") == 0.0


def test_the_key_is_a_salted_hash_that_changes_at_midnight_with_every_bucket() -> None:
    clock = Clock()
    limiter = ClientLimiter(RateLimit(1, 0.001), day=clock.today, monotonic=clock.now)
    key = limiter.key("192.0.2.7", "Firefox")
    assert key == limiter.key("192.0.2.7", "Firefox")
    assert b"192.0.2.7" not in key and len(key) == 16
    assert limiter.take("192.0.2.7", "Firefox") == 0.0
    assert limiter.take("192.0.2.7", "Firefox") > 0
    clock.day = "2026-12-04"
    assert limiter.key("192.0.2.7", "Firefox") != key
    assert limiter.take("192.0.2.7", "Firefox") == 0.0  # a new day starts clean
    other = ClientLimiter(RateLimit(1, 1), day=clock.today, monotonic=clock.now)
    assert other.key("192.0.2.7", "Firefox") != limiter.key("192.0.2.7", "Firefox")


def test_the_number_of_buckets_stays_bounded() -> None:
    from helpdesk.feedback import limits

    clock = Clock()
    limiter = ClientLimiter(RateLimit(2, 1), day=clock.today, monotonic=clock.now)
    for n in range(limits.MAX_CLIENTS + 10):
        limiter.take(f"10.{n}", "")
    assert len(limiter) <= limits.MAX_CLIENTS


def test_a_limit_is_read_from_burst_slash_rate() -> None:
    assert RateLimit.parse("20/0.5") == RateLimit(20, 0.5)
    for bad in ("20", "0/1", "5/0", "a/b", "5/-1"):
        try:
            RateLimit.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
