import itertools

import pytest

_copies = itertools.count(1)


@pytest.fixture(scope="session")
def fault_template(tmp_path_factory):
    """One migrated, seeded database per test worker that the fault tests copy."""
    from .processes import _drop_pg, make_template

    template = make_template(tmp_path_factory.mktemp("fault-template"))
    yield template
    if template[2]:
        _drop_pg(template[2])


@pytest.fixture
def scratch(fault_template, tmp_path):
    """A fresh copy of it for one test (servers in other processes use it, not the test database)."""
    from .processes import copy_of

    copy = copy_of(fault_template, tmp_path, next(_copies))
    yield copy
    copy.drop()
