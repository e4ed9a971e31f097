"""`make load`: start a throwaway `seiko serve`, run locust profiles against it, print the figures.

    python load/run.py                          # smoke, then stress
    python load/run.py --profile smoke --run-time 5s --users 3 --json out.json
    python load/run.py --url http://127.0.0.1:8000 --profile smoke   # a server that is already running

The server is the one a newcomer runs: `seiko serve` with the embedded PostgreSQL in a temporary
SEIKO_DATA_DIR (migrated and seeded at start), no model keys (the assistant answers with its offline
policy) and the simulated payment provider. It is stopped, and its folder removed, at the end.

Rate limits: every virtual user comes from 127.0.0.1, so the per-IP limits, sized for one person each
(SEIKO_RATE_LIMIT 300/minute, SEIKO_RATE_LIMIT_AUTH 10/minute, SEIKO_RATE_LIMIT_CHAT 30/minute), would
answer 429 within seconds and measure the limiter instead of the store. The server under test gets
limits far above the offered load through those same settings; the limiter still runs, so its cost is
in the figures. Against `--url`, set them on that server the same way.

For each profile it prints, per endpoint and in total: requests, failures, error rate, requests per
second and the 50th/95th/99th percentile latency (ms, as locust buckets them). It exits 1 when a
profile's error rate is above that profile's ceiling (smoke 0, stress 5 %)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"
# The highest error rate each profile may show and still pass.
MAX_ERROR_RATE = {"smoke": 0.0, "stress": 0.05}
UNLIMITED = "1000000/minute"
# Environment that would point the server at another database or switch a paid provider on.
_DROPPED_ENV = ("DATABASE_URL", "TEST_DATABASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST",
                "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST", "STRIPE_SECRET_KEY",
                "STRIPE_WEBHOOK_SECRET", "SEIKO_PRICING_FILE", "SEIKO_NOTIFY_WEBHOOK_URL")


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    error_rate: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Result:
    profile: str
    endpoints: list[Row]
    total: Row
    max_error_rate: float

    @property
    def ok(self) -> bool:
        return self.total.requests > 0 and self.total.error_rate <= self.max_error_rate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 60) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback server
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def post_json(url: str, body: dict[str, str], timeout: float = 60) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


class Server:
    """`seiko serve` on a free loopback port with its own embedded database under `folder`."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        run_dir = folder / "run"
        run_dir.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
        env.update(SEIKO_DATA_DIR=str(folder / "data"), SEIKO_ENV="development", SEIKO_LOG_JSON="true",
                   SEIKO_RATE_LIMIT=UNLIMITED, SEIKO_RATE_LIMIT_AUTH=UNLIMITED, SEIKO_RATE_LIMIT_CHAT=UNLIMITED,
                   HF_HUB_OFFLINE="1", SEIKO_METRICS_PORT=str(free_port()))
        # Run outside the checkout so a developer's .env cannot switch a provider on; the checkout
        # first on the path all the same.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, cwd=run_dir, stdout=self._out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"seiko serve exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if get(f"{self.base}/ready", timeout=5) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"seiko serve was not ready within {timeout:.0f}s:\n{self.tail()}")

    def wait_indexed(self, timeout: float = 180) -> None:
        """Until the background embedding at start is done, so it does not run under the load."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            if "search_index_ready" in text or "search_index_failed" in text:
                return
            time.sleep(0.5)
        raise RuntimeError("the search index was not built in time")

    def tail(self, chars: int = 5000) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        # SIGINT: the server stops its embedded PostgreSQL on the way out.
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._out.close()


def warm_up(base: str) -> None:
    """The first search loads the embedding model (seconds); do it before anything is measured."""
    for attempt in range(3):
        if get(f"{base}/api/v1/search?q=automatic%20diver&limit=5", timeout=120) == 200:
            break
        time.sleep(1 + attempt)
    post_json(f"{base}/api/v1/chat", {"message": "a dive watch under $500"}, timeout=120)


def seconds(duration: str) -> float:
    """Locust's run-time syntax: 90, 30s, 2m, 1h30m."""
    if duration.isdigit():
        return float(duration)
    parts = re.findall(r"(\d+)([hms])", duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a duration: {duration!r}")
    return float(sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts))


def profile_run_time(profile: str) -> str:
    for line in (HERE / "profiles" / f"{profile}.conf").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "run-time":
            return value.strip()
    raise ValueError(f"load/profiles/{profile}.conf has no run-time")


def read_stats(path: Path) -> tuple[list[Row], Row]:
    endpoints: list[Row] = []
    total: Row | None = None
    with path.open() as f:
        for record in csv.DictReader(f):
            requests, failures = int(record["Request Count"]), int(record["Failure Count"])
            row = Row(name=f"{record['Type']} {record['Name']}".strip(), requests=requests, failures=failures,
                      error_rate=failures / requests if requests else 0.0, rps=float(record["Requests/s"]),
                      p50_ms=float(record["50%"] or 0), p95_ms=float(record["95%"] or 0),
                      p99_ms=float(record["99%"] or 0))
            if record["Name"] == "Aggregated":
                total = Row(**{**asdict(row), "name": "TOTAL"})
            else:
                endpoints.append(row)
    if total is None:
        raise RuntimeError(f"{path} has no Aggregated row")
    return endpoints, total


def run_profile(profile: str, base: str, folder: Path, *, run_time: str | None, users: int | None,
                spawn_rate: float | None) -> Result:
    prefix = folder / profile
    config = HERE / "profiles" / f"{profile}.conf"
    args = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--config", str(config), "--host", base,
            "--headless", "--only-summary", "--csv", str(prefix), "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    if run_time:
        args += ["--run-time", run_time]
    if users:
        args += ["--users", str(users)]
    if spawn_rate:
        args += ["--spawn-rate", str(spawn_rate)]
    limit = seconds(run_time or profile_run_time(profile)) + 120
    log = folder / f"locust-{profile}.log"
    with log.open("w") as out:
        done = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, timeout=limit, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"locust exited {done.returncode}:\n{log.read_text(errors='replace')[-5000:]}")
    endpoints, total = read_stats(Path(f"{prefix}_stats.csv"))
    return Result(profile=profile, endpoints=endpoints, total=total, max_error_rate=MAX_ERROR_RATE.get(profile, 0.0))


def failures(folder: Path, profile: str) -> list[str]:
    path = folder / f"{profile}_failures.csv"
    if not path.exists():
        return []
    with path.open() as f:
        return [f"{r['Occurrences']}x {r['Method']} {r['Name']}: {r['Error'][:160]}" for r in csv.DictReader(f)]


def report(result: Result) -> str:
    header = f"{'endpoint':<52} {'reqs':>7} {'fails':>6} {'err %':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    lines = [f"== {result.profile}: {'PASS' if result.ok else 'FAIL'} "
             f"(error-rate ceiling {result.max_error_rate:.0%}; latencies in ms)", header, "-" * len(header)]
    for row in [*sorted(result.endpoints, key=lambda r: -r.requests), result.total]:
        if row is result.total:
            lines.append("-" * len(header))
        lines.append(f"{row.name[:52]:<52} {row.requests:>7} {row.failures:>6} {row.error_rate * 100:>6.2f} "
                     f"{row.rps:>7.1f} {row.p50_ms:>6.0f} {row.p95_ms:>6.0f} {row.p99_ms:>6.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--profile", action="append", choices=sorted(MAX_ERROR_RATE),
                        help="load/profiles/NAME.conf; repeat to run several in order (default: smoke, stress)")
    parser.add_argument("--url", help="an already running server instead of a fresh one")
    parser.add_argument("--run-time", help="override the profile's run-time (e.g. 5s)")
    parser.add_argument("--users", type=int, help="override the profile's users")
    parser.add_argument("--spawn-rate", type=float, help="override the profile's spawn-rate")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    profiles: list[str] = args.profile or ["smoke", "stress"]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="seiko-load-") as tmp:
        folder = Path(tmp)
        server = None if args.url else Server(folder)
        try:
            if server is not None:
                t0 = time.monotonic()
                server.wait_ready()
                server.wait_indexed()
                print(f"seiko serve ready on {server.base} in {time.monotonic() - t0:.1f}s", flush=True)
            base = args.url or (server.base if server else "")
            warm_up(base)
            for profile in profiles:
                print(f"running {profile} ...", flush=True)
                result = run_profile(profile, base, folder, run_time=args.run_time, users=args.users,
                                     spawn_rate=args.spawn_rate)
                results.append(result)
                print(report(result), flush=True)
                for line in failures(folder, profile)[:10]:
                    print(f"  failure: {line}", flush=True)
        finally:
            if server is not None:
                server.stop()
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "ok": r.ok} for r in results], indent=2))
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
