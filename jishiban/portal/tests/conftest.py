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
