"""The appeal list's filters under any query string (hypothesis): the page and its export answer
200 or a 400 that says what is wrong — never a 500 — for text, dates, codes, cursors and sort
keys of every shape."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jishiban.testing import make_appeal

FIELDS = ("q", "status", "channel", "county", "town", "category", "unit", "deadline", "satisfaction", "date_from",
          "date_to", "sort", "after", "before")
PLAUSIBLE = {
    "status": ["open", "received", "closed", "x"], "channel": ["12345-web", "12345-phone", "nope"],
    "county": ["370811", "370812", "9" * 20], "town": ["370811001", "0"], "category": ["02", "020101", "zz"],
    "unit": ["city-water", "nope"], "deadline": ["overdue", "yellow", "normal", "late"],
    "satisfaction": ["satisfied", "dissatisfied", "meh"], "sort": ["-received_at", "reply_deadline", "number", "pk"],
    "date_from": ["2026-11-01", "0001-01-01", "9999-12-31", "2026-02-30", "²"],
    "date_to": ["2026-11-30", "9999-12-31", "1899-12-31", "2026-13-01"],
    "q": ["JN2026112700001", "13912345678", "停水", "%", "\x00"],
    "after": ["WyIyMDI2LTExLTI3VDA5OjMwOjAwKzA4OjAwIiwxXQ", "!!", "W251bGwsMV0"],
    "before": ["WzE3LDJd", "e30"],
}
VALUES = st.one_of(st.text(max_size=40), st.integers(min_value=-(10**20), max_value=10**20).map(str),
                   st.dates().map(str), st.sampled_from(sorted({v for vs in PLAUSIBLE.values() for v in vs})))
QUERIES = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6)


@pytest.fixture
def signed_in(personas):
    make_appeal(channel="12345-web")
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)
    return client


@pytest.mark.parametrize("path", ["/appeals/", "/appeals/export.csv"])
def test_no_query_string_breaks_the_appeal_list(signed_in, path):
    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(query=QUERIES)
    def run(query):
        # What a browser cannot send (NUL, lone surrogates) a hand-made request can: Django answers 400.
        response = signed_in.get(path, {k: v for k, v in query.items()})
        assert response.status_code in (200, 400), (query, response.status_code)
        if response.status_code == 400:  # says why: the form's messages, or the NUL it refused
            text = response.content.decode()
            assert "form-error" in text or "NUL" in text or "筛选条件有误" in text, text[-500:]

    run()
