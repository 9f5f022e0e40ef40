"""Property-based tests of the two HTTP APIs from their OpenAPI documents (schemathesis).

For every operation of ``/api/v1`` and of ``/open311/v2`` schemathesis generates requests from
the schema (a bounded number per operation, ``JISHIBAN_FUZZ_EXAMPLES``, 5 by default, so the
suite stays fast) and each answer must be no 5xx, a status the schema documents, its content
type, and a body matching the schema for that status. Calls go in process through the WSGI
application, on the test's database, as an administrator (every operation is reachable).
"""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jishiban.api.tokens import create_token
from jishiban.channels.models import Channel
from jishiban.open311.keys import create_key
from jishiban.testing import advance, make_appeal

EXAMPLES = int(os.environ.get("JISHIBAN_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def fuzz_data(personas):
    """Appeals in several states (so lists and records have rows to check), an admin's token
    and an Open311 key."""
    make_appeal(channel="12345-web")
    for until in ("dispatched", "replied"):
        advance(make_appeal(channel="12345-web"), personas, until)
    _row, token = create_token(personas.admin)
    _key, raw_key = create_key(channel=Channel.objects.get(code="open311"), name="fuzz")
    return {"token": token, "key": raw_key}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the in-process requests must not close the connection that
    holds the test's transaction at their end (on PostgreSQL it would)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz(path: str, call) -> None:
    """Every operation of the schema at ``path``, ``EXAMPLES`` generated requests each; all
    failures are collected, each with its smallest example."""
    schema = schemathesis.openapi.from_wsgi(path, WSGIHandler())
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            call(case)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every failure is reported below
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


def test_rest_api_answers_as_its_schema_says(fuzz_data):
    headers = {"Authorization": f"Bearer {fuzz_data['token']}"}
    _fuzz("/api/v1/openapi.json", lambda case: case.call_and_validate(headers=headers, checks=CHECKS))


def test_open311_answers_as_its_schema_says(fuzz_data):
    def call(case):
        if case.method == "POST" and isinstance(case.body, dict) and "api_key" in case.body:
            case.body["api_key"] = fuzz_data["key"]  # a valid key, so the request reaches the pipeline
        if case.method == "GET" and case.query and case.query.get("api_key"):
            case.query["api_key"] = fuzz_data["key"]
        case.call_and_validate(checks=CHECKS)

    _fuzz("/open311/v2/openapi.json", call)


def test_no_two_schemas_of_the_api_share_a_name():
    """The OpenAPI document names each schema by its class: two classes of one name (the smart
    router's ``CategoryOut`` and the reference data's) silently became one, and the document
    described one operation with the other's fields."""
    from ninja import Schema

    from jishiban.api.urls import api

    api.get_openapi_schema()  # every router imported and mounted
    modules = ("jishiban.api.", "jishiban.supervision.api", "jishiban.supervision.schemas", "jishiban.smart.api",
               "jishiban.routing.api")
    seen: dict[str, set[str]] = {}
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(modules) and ".tests." not in cls.__module__:
            seen.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}
