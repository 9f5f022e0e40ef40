import pytest

from jishiban.testing import Personas, load_reference_data, reseed_after_flush


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Load the gazetteer, taxonomy and organisations once per test database; each test's
    # transaction rolls back on top of them.
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data(db):
    # Transactional tests (live_server, run last) flush the database; reload when that happened.
    reseed_after_flush()


@pytest.fixture
def live(live_server, transactional_db):
    """A live server (for real clients: ``requests``, CSRF, cookies) with the seeded channels and
    the reference data, which earlier transactional tests may have flushed."""
    import importlib

    from django.apps import apps

    from jishiban.regions.models import Region

    importlib.import_module("jishiban.channels.migrations.0002_seed_channels").seed(apps, None)
    if not Region.objects.exists():
        load_reference_data()
    return live_server


@pytest.fixture
def personas(reference_data):
    return Personas()


@pytest.fixture(autouse=True)
def _fresh_lookups():
    # Rows (and credentials) cached by one test may have been rolled back or flushed before the next.
    # So is smart help's duplicate index of this process, which the desk's hints read.
    from jishiban.core.lookups import clear_all
    from jishiban.smart.dedupe_db import reset_live_index

    clear_all()
    reset_live_index()
    yield
    clear_all()
    reset_live_index()


@pytest.fixture(autouse=True)
def _chinese_first():
    # A test that switches to English (a request with Accept-Language: en, or ``activate("en")``)
    # must not leave the next test of the same worker reading English messages.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
