"""Where a browser may be sent after signing in: only a path on this site.

Browsers are lenient with URLs: the WHATWG parser drops tabs and newlines anywhere, trims leading
control characters and spaces, and reads a backslash as a slash. So `/\t/evil.example/` and
`/\\evil.example` both leave the site. The target is normalised the way a browser would read it
before it is judged, and what is returned is that normalised form, with nothing left to reinterpret."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

HOME = "/"
_DROPPED = re.compile(r"[\t\n\r]")
# Characters a browser would trim from either end of a URL: C0 controls and space.
_TRIMMED = "".join(chr(c) for c in range(0x21))
# Anything still unsafe in a Location header or an HTML attribute is percent-encoded.
_SAFE = "/?#&=;:@!$'()*+,-._~%[]"


def same_site_path(target: str | None) -> str:
    """`target` as a path on this site, or `/` when it would lead anywhere else."""
    if not target:
        return HOME
    browser_view = _DROPPED.sub("", target).strip(_TRIMMED).replace("\\", "/")
    if not browser_view.startswith("/") or browser_view.startswith("//"):
        return HOME
    parts = urlsplit(browser_view)
    if parts.scheme or parts.netloc:
        return HOME
    path = quote(parts.path, safe=_SAFE)
    query = quote(parts.query, safe=_SAFE)
    fragment = quote(parts.fragment, safe=_SAFE)
    return urlunsplit(("", "", path, query, fragment)) or HOME
