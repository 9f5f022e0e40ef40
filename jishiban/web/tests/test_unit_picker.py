"""The dispatch picker: units found by name, short name and pinyin (full or initials), the
suggested units on top with their reason, lead and co-handlers as chips; county staff offered
only the units they may dispatch to."""

import pytest

from jishiban.appeals.models import Appeal
from jishiban.organisations.models import Organisation
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def options(client, q, appeal=None, **extra):
    params = {"q": q, **({"appeal": appeal.pk} if appeal else {}), **extra}
    response = client.get("/dispatch/units/", params)
    assert response.status_code == 200
    return response.context["choices"]


def names(choices):
    return [c["unit"].name for c in choices]


def test_pinyin_initials_find_the_housing_bureau_of_the_appeals_county_first(login, personas):
    appeal = make_appeal(category="0101", content="小区物业不管电梯")
    client = login(personas.dispatcher)
    found = names(options(client, "zjj", appeal))
    assert found[0] == "任城区住房和城乡建设局" and "济宁市住房和城乡建设局" in found
    assert names(options(client, "zhujianju", appeal))[0] == "任城区住房和城乡建设局"
    assert names(options(client, "rc zjj", appeal)) == ["任城区住房和城乡建设局"]


def test_town_units_show_their_county(login, personas):
    html = login(personas.dispatcher).get("/dispatch/units/", {"q": "长沟"}).content.decode()
    assert "长沟镇" in html and "任城区 · 乡镇街道" in html


def test_suggested_units_come_first_with_their_reason(login, personas):
    appeal = make_appeal()
    client = login(personas.dispatcher)
    first = options(client, "", appeal)[0]
    assert first["unit"].code == "370811-water" and first["s"]["explanation"].startswith("分类 停水 的职能领域")
    typed = options(client, "shui", appeal)
    assert typed[0]["unit"].code == "370811-water" and typed[0]["s"] is not None
    assert all(c["s"] is None for c in typed[1:])
    html = client.get("/dispatch/units/", {"q": "", "appeal": appeal.pk}).content.decode()
    assert "建议 · 职能领域" in html and "设为主办" in html and "加为协办" in html


def test_detail_page_offers_the_picker_with_the_suggestion_as_chips(login, personas):
    appeal = make_appeal()
    html = login(personas.dispatcher).get(f"/appeals/{appeal.pk}/").content.decode()
    water = Organisation.objects.get(code="370811-water")
    assert "data-unit-picker" in html and f'name="lead_unit" value="{water.pk}"' in html
    assert "拼音或首字母" in html and "size=\"5\"" not in html  # no more Ctrl-click box


def test_dispatch_with_lead_and_co_handler_chips(login, personas):
    appeal = make_appeal()
    lead, co = Organisation.objects.get(code="370811-water"), Organisation.objects.get(code="370811-housing")
    response = login(personas.dispatcher).post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": lead.pk, "co_units": [co.pk], "q": "zjj"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.lead_unit == lead and list(appeal.co_units.all()) == [co]


def test_county_staff_are_offered_only_units_they_may_dispatch_to(login, personas):
    appeal = make_appeal()
    client = login(personas.county_rencheng)
    found = [c["unit"].code for c in options(client, "zjj", appeal)]
    assert "370811-housing" in found and "city-housing" not in found and "370812-housing" not in found
    heating = [c["unit"].code for c in options(client, "热力", appeal)]
    assert heating == ["ent-heating"]  # a city unit marked 县级可派
    html = client.get("/dispatch/units/", {"q": "市住建局"}).content.decode()
    assert "没有找到与“市住建局”相符的可派单位" in html


def test_county_staff_posting_an_out_of_county_unit_get_the_reason_and_nothing_changes(login, personas):
    appeal = make_appeal()
    response = login(personas.county_rencheng).post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": Organisation.objects.get(code="city-housing").pk})
    assert response.status_code == 422
    assert "县市区社会治理服务中心只能派往任城区的单位" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "received"


def test_picker_list_is_only_for_those_who_dispatch(login, personas):
    assert login(personas.handler).get("/dispatch/units/", {"q": "zjj"}).status_code == 403


def test_queue_bulk_dispatch_uses_the_picker(login, personas):
    import re

    html = login(personas.dispatcher).get("/dispatch/").content.decode()
    assert "data-unit-picker" in html and "data-single" in html
    outside = re.sub(r"<noscript>.*?</noscript>", "", html, flags=re.S)
    assert "<optgroup" not in outside  # the flat list of every unit is there only without JavaScript


def test_without_javascript_the_picker_falls_back_on_selects_of_the_units_allowed(login, personas):
    import re

    appeal = make_appeal()
    html = login(personas.county_rencheng).get(f"/appeals/{appeal.pk}/").content.decode()
    plain = re.search(r'<noscript><div class="picker-noscript">(.*?)</noscript>', html, re.S).group(1)
    own, city = (Organisation.objects.get(code=c) for c in ("370811-housing", "city-housing"))
    assert f'value="{own.pk}"' in plain and f'value="{city.pk}"' not in plain
    assert 'name="lead_unit"' in plain and 'name="co_units"' in plain
    # The chips' own inputs are switched on by the script only, so nothing is sent twice.
    chips = html.split('<noscript><div class="picker-noscript">')[0]
    assert re.search(r'<input type="hidden" name="lead_unit" value="\d+" disabled data-picker-value>', chips)
