import pytest

from jishiban.testing import Personas, load_reference_data


@pytest.fixture
def reference_data(db):
    load_reference_data()


@pytest.fixture
def personas(reference_data):
    return Personas()
