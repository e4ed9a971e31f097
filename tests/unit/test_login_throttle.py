"""Per-account sign-in throttling: backoff per (account, network), a soft backoff across networks, and
no way for failures elsewhere to lock the real user out. Time comes from a fake clock."""

from __future__ import annotations

from commerce.customers.throttle import LoginThrottle, network_of

ACCOUNT = "ana@example.com"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: FakeClock) -> LoginThrottle:
    return LoginThrottle(clock=clock, free_failures=5, base_backoff_s=30, max_backoff_s=600, hot_failures=20)


def test_networks_are_slash_24_and_slash_64() -> None:
    assert network_of("203.0.113.7") == network_of("203.0.113.250") == "203.0.113.0/24"
    assert network_of("203.0.114.7") != network_of("203.0.113.7")
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert network_of("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert network_of("unknown") == "unknown"


def test_backoff_starts_after_the_free_failures_and_doubles() -> None:
    clock = FakeClock()
    t = throttle(clock)
    for _ in range(4):
        t.failed(ACCOUNT, "203.0.113.7")
        assert t.retry_after(ACCOUNT, "203.0.113.7") is None
    t.failed(ACCOUNT, "203.0.113.8")  # another address in the same /24 counts for the same network
    assert t.retry_after(ACCOUNT, "203.0.113.99") == 30
    clock.now += 30
    assert t.retry_after(ACCOUNT, "203.0.113.7") is None
    t.failed(ACCOUNT, "203.0.113.7")
    assert t.retry_after(ACCOUNT, "203.0.113.7") == 60
    for _ in range(10):
        clock.now += 1000
        t.failed(ACCOUNT, "203.0.113.7")
    assert t.retry_after(ACCOUNT, "203.0.113.7") == 600  # capped


def test_a_flood_from_one_network_never_refuses_another() -> None:
    clock = FakeClock()
    t = throttle(clock)
    for _ in range(500):
        t.failed(ACCOUNT, "198.51.100.66")
    assert t.retry_after(ACCOUNT, "198.51.100.66") == 600
    assert t.retry_after(ACCOUNT, "203.0.113.7") is None  # the real user's network
    assert t.retry_after("someone-else@example.com", "198.51.100.66") is None  # other accounts


def test_a_spray_across_networks_gives_new_networks_one_free_failure_but_never_refuses_first_tries() -> None:
    clock = FakeClock()
    t = throttle(clock)
    t.succeeded(ACCOUNT, "203.0.113.7")  # the owner's home network
    for i in range(20):
        t.failed(ACCOUNT, f"10.{i}.0.1")  # one guess from each of 20 networks: none locked yet
    assert all(t.retry_after(ACCOUNT, f"10.{i}.0.1") is None for i in range(19))
    # The account is hot: an unknown network is locked after a single failure...
    assert t.retry_after(ACCOUNT, "10.99.0.1") is None  # ...but its first attempt is always checked
    t.failed(ACCOUNT, "10.99.0.1")
    assert t.retry_after(ACCOUNT, "10.99.0.1") == 30
    # The owner's known network keeps its normal allowance.
    for _ in range(4):
        t.failed(ACCOUNT, "203.0.113.7")
    assert t.retry_after(ACCOUNT, "203.0.113.7") is None
    # Once the spray is older than the window, the account cools down.
    clock.now += 16 * 60
    t.failed(ACCOUNT, "10.98.0.1")
    assert t.retry_after(ACCOUNT, "10.98.0.1") is None


def test_success_clears_the_network_and_memory_is_bounded() -> None:
    clock = FakeClock()
    t = LoginThrottle(clock=clock, max_entries=50)
    for _ in range(5):
        t.failed(ACCOUNT, "203.0.113.7")
    assert t.retry_after(ACCOUNT, "203.0.113.7") is not None
    t.succeeded(ACCOUNT, "203.0.113.7")
    assert t.retry_after(ACCOUNT, "203.0.113.7") is None
    for i in range(500):
        t.failed(f"user{i}@example.com", "198.51.100.1")
    assert len(t._pairs) <= 50 and len(t._accounts) <= 50
