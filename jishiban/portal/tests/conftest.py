import pytest

# The smart-help tests' classifier fixtures, for the category suggestion while typing.
from jishiban.smart.tests.conftest import active_model, code_classifier, fresh_smart_state  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_limits():
    # Rate-limit counters live in the cache; one test's requests must not count against the next's.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_challenge_unless_asked(monkeypatch):
    # The submit form's challenge is tested on its own (test_challenge.py, the browser journey);
    # elsewhere a test posts the form as a person who passed it would.
    from jishiban.portal import conf

    monkeypatch.setitem(conf.DEFAULTS, "CHALLENGE", "off")
