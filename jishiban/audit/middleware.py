"""Remembers the request being served, so audit rows written deeper down (signals, services)
know who acted and from where without every function passing the request along."""

from __future__ import annotations

from .services import current_request


class CurrentActor:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
