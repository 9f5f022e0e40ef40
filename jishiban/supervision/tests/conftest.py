import pytest

from jishiban.appeals import services
from jishiban.testing import advance, make_appeal


@pytest.fixture
def replied(personas):
    """An appeal from the web channel (a link callback), replied by the water bureau."""
    def make(channel="12345-phone", **fields):
        return advance(make_appeal(channel=channel, **fields), personas, "replied")
    return make


@pytest.fixture
def dispatched(personas):
    def make(**fields):
        return advance(make_appeal(**fields), personas, "dispatched")
    return make


@pytest.fixture
def accepted(personas):
    def make(**fields):
        return services.accept(advance(make_appeal(**fields), personas, "dispatched"), by=personas.handler)
    return make
