"""A traced drill seen by ops in a real browser: the run's page in the decision log links to its
trace in Jaeger (SEIKO_JAEGER_URL), the one trace from the alert to the proposal."""

from __future__ import annotations

import re
from collections.abc import Callable

from opentelemetry.sdk.trace import TracerProvider
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.browser.test_ops_journey import ops_account
from tests.fix_app import PASSWORD

JAEGER = "http://jaeger.example:16686"


def test_the_run_page_links_to_its_trace(serve: Callable[..., LiveServer], page: Page,
                                         tracer_provider: TracerProvider) -> None:
    # `tracer_provider`: this process traces, so the served app is instrumented and runs are traced.
    server = serve(SEIKO_WORKER=True, SEIKO_JAEGER_URL=JAEGER)
    sign_in(page, server.url, ops_account(server.url), PASSWORD, next_path="/ops")
    page.get_by_role("button", name="Run drill").click()
    expect(page.locator("#drill-status")).to_contain_text("The stock agent proposed", timeout=60_000)
    page.goto(f"{server.url}/ops/decisions")
    page.locator("table.runs tbody tr").first.get_by_role("link").first.click()
    link = page.locator("#run-trace a")
    expect(link).to_contain_text("Open in Jaeger")
    expect(link).to_have_attribute("href", re.compile(rf"^{re.escape(JAEGER)}/trace/[0-9a-f]{{32}}$"))
    screenshot(page, "ops-decision-trace", full_page=False)
