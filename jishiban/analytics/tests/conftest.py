from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jishiban.analytics import rollup

from .histories import make_history

FILLED_AT = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def filled(personas):
    """The generated September 2026 history, taken into the daily tables as of 20 November."""
    make_history(personas, n=40)
    rollup.fill(now=FILLED_AT)
    return personas
