import pytest

from jishiban.sla.services import invalidate_calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test's rollback sends no signals, so a calendar cached in one test must not leak."""
    invalidate_calendar()
    yield
    invalidate_calendar()
