import pytest

pytest_plugins = ["tests.fix_app", "tests.fix_db", "tests.fix_stripe", "tests.fix_tracing", "tests.fix_kafka"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. While the session's browser is open, Playwright's sync API holds an event
    loop on the main thread, and pytest-asyncio cannot run a test beside it."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
