"""Errors of the server-rendered pages, answered for browsers rather than as problem+json."""

from __future__ import annotations

from common.errors import Forbidden, Unauthorized


class LoginRequired(Unauthorized):
    """A page needs a signed-in user: browsers are sent to the sign-in page, then back."""

    code = "login_required"
    title = "Sign in to see this page"


class PageForbidden(Forbidden):
    """A signed-in user opened a page their role does not allow: an HTML page says so."""

    code = "page_forbidden"
