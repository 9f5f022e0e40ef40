"""After a reviewed return (退单审核) the centre's reviewer writes the ``return`` event; the pages
name the unit that asked to return it, not the reviewer's centre."""

import pytest

from jishiban.appeals import services
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _approved(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    appeal = services.request_return(appeal, by=personas.handler, reason="该路段管网不属本局管理")
    return services.approve_return(appeal, by=personas.dispatcher, note="核实属实")


def test_the_appeal_page_names_the_unit_that_returned_it(login, personas):
    appeal = _approved(personas)
    page = login(personas.dispatcher).get(f"/appeals/{appeal.pk}/").content.decode()
    line = page.split("最近退单", 1)[1].split("</dd>", 1)[0]
    assert f"{personas.water}：该路段管网不属本局管理" in line
    assert str(personas.dispatcher.organisation) not in line


def test_the_dispatch_queue_names_the_unit_that_returned_it(login, personas):
    _approved(personas)
    page = login(personas.dispatcher).get("/dispatch/?tab=returned").content.decode()
    assert f"<strong>{personas.water}</strong>：该路段管网不属本局管理" in page
