"""Fixtures of the workbench tests.

The personas (and the reference data, should a flush have removed it) are created once per test
module inside a transaction that is rolled back when the module ends; each test runs in a
savepoint inside it (pytest-django's ``db``), so tests stay isolated and the suite stays fast.
"""

import pytest
from django.db import transaction
from django.test import Client

from jishiban.testing import Personas, reseed_after_flush


@pytest.fixture(scope="module")
def _web_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            reseed_after_flush()  # reference data, seeded channels and holidays, if a flush removed them
            world = Personas()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def personas(_web_world, db):
    return _web_world


@pytest.fixture
def login(personas):
    """``login(user)`` → a test client signed in as ``user``."""
    def make(user):
        client = Client()
        client.force_login(user)
        return client
    return make
