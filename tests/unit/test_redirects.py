"""After sign-in a browser is only ever sent to a path on this site, however the target is disguised."""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit

import pytest

from api.redirects import same_site_path

STORE = "http://store.test/account/login"

ESCAPES = [
    "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "/\r\n/evil.example/",
    "\t//evil.example/", " //evil.example", "\x01//evil.example", "//evil.example", "///evil.example",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\t\\evil.example", "/\\\t\\evil.example",
    "http://evil.example/", "HTTPS://evil.example", "javascript:alert(1)", "java\tscript:alert(1)",
    "evil.example", "",
    # query strings arrive decoded once; a browser reads the decoded form
    unquote("/%09/evil.example/"), unquote("%2F%0A%2Fevil.example"), unquote("%5C%5Cevil.example"),
    unquote("/%5Cevil.example"), unquote("%0D//evil.example"),
]


@pytest.mark.parametrize("target", ESCAPES)
def test_targets_that_leave_the_site_go_home(target: str) -> None:
    assert same_site_path(target) == "/"


@pytest.mark.parametrize("target", [
    "/", "/cart", "/orders/12", "/search?q=diver+under+%24500", "/ops/reorders?status=pending#top",
    "/watches/SRPD55K1", "/%2F%2Fevil.example", "/%09/still-a-path",
])
def test_same_site_paths_are_kept(target: str) -> None:
    assert same_site_path(target) == target


@pytest.mark.parametrize("target", [*ESCAPES, "/a b/c", "/caf\u00e9", "/\u2044\u2044evil.example",
                                    "/\uff0f\uff0fevil.example", "/%2509/x", "/.//evil.example",
                                    "/\x00/evil.example"])
def test_whatever_comes_back_resolves_on_this_site(target: str) -> None:
    result = same_site_path(target)
    assert result.startswith("/") and not result.startswith("//")
    assert not any(c <= " " or c == "\\" or c == "\x7f" for c in result)
    assert urlsplit(urljoin(STORE, result)).netloc == "store.test"
