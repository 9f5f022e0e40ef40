import json

import pytest
from django.test import Client

from jishiban.api.tokens import create_token


class ApiClient:
    """A test client speaking JSON with ``Authorization: Bearer`` for one persona."""

    def __init__(self, user=None, **token_options):
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.row, self.token = create_token(user, **token_options)
            self.headers["Authorization"] = f"Bearer {self.token}"

    def get(self, path, data=None, **headers):
        return self.client.get("/api/v1" + path, data or {}, headers={**self.headers, **headers})

    def post(self, path, body=None, **headers):
        return self.client.post("/api/v1" + path, json.dumps(body or {}), content_type="application/json",
                                headers={**self.headers, **headers})


@pytest.fixture
def api(personas):
    """``api("dispatcher")`` → an ApiClient with a fresh token of that persona."""
    cache = {}

    def make(name, **token_options):
        if name not in cache or token_options:
            cache[name] = ApiClient(getattr(personas, name) if name else None, **token_options)
        return cache[name]

    return make
