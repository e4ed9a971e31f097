"""Sign-in throttling per account, with backoff that an attacker cannot turn into a lockout.

Failures are counted per (account, network): the client's /24 (IPv4) or /64 (IPv6), so rotating
addresses inside one network does not reset the count. After `free_failures` failures in a row that
pair is refused for a backoff that doubles with each further failure (capped), and a refused attempt
never reaches the password check, so it gives a guesser nothing. A success clears the pair.

Across all networks the account has a soft backoff: once it has taken `hot_failures` recent failures
(a spray from many networks), a network that has never signed in to it successfully gets one free
failure instead of `free_failures`. No network is ever refused because of failures elsewhere, so the
real user, from their own network, always gets their attempts checked.

State is in memory, per process (as the per-IP limits are), bounded by `max_entries`; time comes from
the injected clock."""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

Clock = Callable[[], float]
K = TypeVar("K")
V = TypeVar("V")


def network_of(ip: str) -> str:
    """The /24 of an IPv4 address, the /64 of an IPv6 one; anything unparsable stands for itself."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass
class _Pair:
    failures: int = 0
    locked_until: float = 0.0


@dataclass
class _Account:
    failures: list[float] = field(default_factory=list)  # times of recent failures, any network
    trusted: set[str] = field(default_factory=set)  # networks that have signed in successfully


@dataclass
class LoginThrottle:
    clock: Clock
    free_failures: int = 5
    base_backoff_s: float = 30.0
    max_backoff_s: float = 15 * 60.0
    hot_failures: int = 20
    hot_window_s: float = 15 * 60.0
    max_entries: int = 100_000
    _pairs: OrderedDict[tuple[str, str], _Pair] = field(default_factory=OrderedDict)
    _accounts: OrderedDict[str, _Account] = field(default_factory=OrderedDict)

    def retry_after(self, account: str, ip: str) -> int | None:
        """Seconds to wait before this account may be tried from this client's network, or None."""
        pair = self._pairs.get((account, network_of(ip)))
        if pair is None:
            return None
        remaining = pair.locked_until - self.clock()
        return math.ceil(remaining) if remaining > 0 else None

    def failed(self, account: str, ip: str) -> None:
        now, network = self.clock(), network_of(ip)
        state = self._account(account)
        state.failures = [t for t in state.failures if now - t < self.hot_window_s][-self.hot_failures:]
        state.failures.append(now)
        pair = self._touch(self._pairs, (account, network), _Pair)
        pair.failures += 1
        hot = len(state.failures) >= self.hot_failures and network not in state.trusted
        free = 1 if hot else self.free_failures
        if pair.failures >= free:
            backoff = self.base_backoff_s * 2 ** (pair.failures - free)
            pair.locked_until = now + min(backoff, self.max_backoff_s)

    def succeeded(self, account: str, ip: str) -> None:
        network = network_of(ip)
        self._pairs.pop((account, network), None)
        self._account(account).trusted.add(network)

    def _account(self, account: str) -> _Account:
        return self._touch(self._accounts, account, _Account)

    def _touch(self, table: OrderedDict[K, V], key: K, make: Callable[[], V]) -> V:
        """The entry for `key`, most recently used; the least recently used entries go past the cap."""
        value = table.get(key)
        if value is None:
            value = table[key] = make()
        table.move_to_end(key)
        while len(table) > self.max_entries:
            table.popitem(last=False)
        return value
