"""`seiko serve` says where to go first: the shop, the ops console, the docs and the metrics port."""

from __future__ import annotations

from app.cli.processes import start_banner
from app.settings import Settings


def test_banner_lists_the_shop_ops_docs_and_metrics_on_their_own_port() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    lines = start_banner(settings, host="127.0.0.1", port=8000).splitlines()
    urls = [line.split()[-1] for line in lines]
    assert urls == ["http://127.0.0.1:8000/", "http://127.0.0.1:8000/ops", "http://127.0.0.1:8000/docs",
                    "http://127.0.0.1:9464/metrics"]
