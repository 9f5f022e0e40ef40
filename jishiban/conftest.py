import pytest

from jishiban.testing import Personas, load_reference_data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Load the gazetteer, taxonomy and organisations once per test database; each test's
    # transaction rolls back on top of them.
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data(db):
    from jishiban.regions.models import Region

    # Transactional tests (live_server) flush the database; reload when that happened.
    if not Region.objects.exists():
        load_reference_data()


@pytest.fixture
def personas(reference_data):
    return Personas()
