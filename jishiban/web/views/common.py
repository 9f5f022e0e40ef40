"""Helpers shared by the page modules: htmx detection (the page gate is ``jishiban.core.views.gate``;
safe redirects and errors on forms: ``jishiban.core.pages``)."""

from __future__ import annotations


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
