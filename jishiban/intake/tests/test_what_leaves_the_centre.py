"""What leaves the centre is masked for its reader: every export (command line, web, API; CSV and
XLSX) as every role, pushed results, and what Open311 shows before and after a reply is published.

GIVEN an appeal whose free text (title, content, address, reply, promise) carries phones (plain,
dotted, landline), ID, bank-card and plate numbers, WHEN it leaves the centre by any way, THEN
none of those numbers is there for a reader who may not see them.
"""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from jishiban.api.tokens import create_token
from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import may_see_identity
from jishiban.channels.models import Channel
from jishiban.intake.models import ExportLog, ExportVia, ResultDelivery
from jishiban.supervision.models import PublicReply
from jishiban.supervision.services import public_replies
from jishiban.testing import advance, make_appeal

PHONE = "13566667777"
DOTTED = "139.1234.5678"
SPACED = "+86 137 1111 2222"
LANDLINE = "0537-2345678"
ID_NUMBER = "370811198506121233"      # passes the GB 11643 check
ID_BAD_CHECK = "370811199001011234"   # fails it: still personal
CARD = "6222021234567890128"          # passes Luhn
PLATE = "鲁H12345"
STAFF = "13800001111"
SECRETS = (PHONE, DOTTED, SPACED, LANDLINE, ID_NUMBER, ID_BAD_CHECK, CARD, PLATE, STAFF)

CONTENT = f"我叫王小明，电话{PHONE}，身份证{ID_NUMBER}，卡号{CARD}，车牌{PLATE}，也可打{DOTTED}"
ADDRESS = f"任城区太白楼路8号（{SPACED}，证件{ID_BAD_CHECK}）"
REPLY = f"王小明您好，已处理。如有问题请致电{STAFF}或{LANDLINE}，核对卡号{CARD}、车牌{PLATE}"
PROMISE = f"一周内回访{DOTTED}，复核身份证{ID_NUMBER}"

EXPORTERS = ("admin", "supervisor", "analyst", "leader", "dispatcher", "county_rencheng", "county_other", "dept_head")
REFUSED = ("operator", "handler", "other_handler", "power_handler", "grid_worker", "citizen")


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def planted(personas):
    """A reply on a public channel that pushes results, every free-text field planted."""
    Channel.objects.filter(code="wenzheng").update(wants_results=True, webhook_url="https://board.example.org/hook")
    appeal = make_appeal(channel="wenzheng", title=f"{PLATE}占道，{PHONE}", content=CONTENT, address=ADDRESS,
                         citizen_name="王小明", citizen_phone=PHONE)
    appeal = advance(appeal, personas, "accepted")
    return services.reply(appeal, by=personas.handler, result_type="stepwise", text=REPLY, promise=PROMISE,
                          follow_up_date=timezone.localdate() + timezone.timedelta(days=7))


def _xlsx_text(data: bytes) -> tuple[list, str]:
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return rows, "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


def _csv_text(data: bytes) -> tuple[list, str]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text))), text


def _read(fmt: str, data: bytes) -> tuple[list, str]:
    return (_csv_text if fmt == "csv" else _xlsx_text)(data)


def by_command(user, fmt, tmp_path, personal=False) -> bytes:
    today = timezone.localdate().isoformat()
    out = tmp_path / f"out-{user.username if user else 'nobody'}-{personal}.{fmt}"
    args = ["export", "appeals", "--from", today, "--to", today, "--format", fmt, "--out", str(out)]
    args += ["--as", user.username] if user else []
    args += ["--personal-data"] if personal else []
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return out.read_bytes()


def by_api(user, fmt, personal=False, **filters):
    _row, token = create_token(user)
    today = timezone.localdate().isoformat()
    query = {"from": today, "to": today, **filters, **({"personal_data": "true"} if personal else {})}
    return Client().get(f"/api/v1/exports/appeals.{fmt}", query, headers={"Authorization": f"Bearer {token}"})


def by_web(user, fmt):
    client = Client()
    client.force_login(user)
    return client.get(f"/appeals/export.{fmt}")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_export_shows_planted_numbers_to_any_role(personas, planted, tmp_path, fmt):
    for name in EXPORTERS:
        user = getattr(personas, name)
        visible = Appeal.objects.visible_to(user).filter(pk=planted.pk).exists()
        outputs = {"command": by_command(user, fmt, tmp_path), "api": _body(by_api(user, fmt)),
                   "web": _body(by_web(user, fmt))}
        for way, data in outputs.items():
            rows, text = _read(fmt, data)
            assert len(rows) == 1 + visible, (name, way)
            assert leaks(text) == [], (name, way, leaks(text))
            if visible:
                row = dict(zip(rows[0], rows[1], strict=True))
                assert "138****1111" in row["答复内容"] and "鲁H·***45" in row["标题"], (name, way)
                assert "王**" in row["诉求内容"] and "3708**********1233" in row["诉求内容"], (name, way)
                assert "139****5678" in row["承诺事项"] and "137****2222" in row["地址"], (name, way)
    _rows, text = _read(fmt, by_command(None, fmt, tmp_path))  # the command line without --as
    assert leaks(text) == [] and planted.number in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_personal_data_only_for_readers_who_may_see_the_citizen(personas, planted, tmp_path, fmt):
    for name in EXPORTERS:
        user = getattr(personas, name)
        may_see = may_see_identity(user, planted) and Appeal.objects.visible_to(user).filter(pk=planted.pk).exists()
        for way, data in (("command", by_command(user, fmt, tmp_path, personal=True)),
                          ("api", _body(by_api(user, fmt, personal=True)))):
            _rows, text = _read(fmt, data)
            if may_see:
                assert set(leaks(text)) == set(SECRETS), (name, way)  # in full, as asked
            else:
                assert leaks(text) == [], (name, way, leaks(text))
    assert may_see_identity(personas.supervisor, planted) and not may_see_identity(personas.analyst, planted)


def test_roles_that_may_not_export_get_nothing(personas, planted, tmp_path):
    for name in REFUSED:
        user = getattr(personas, name)
        web = by_web(user, "csv")
        if name == "citizen":  # a citizen is kept on the portal's pages
            assert web.status_code == 302 and web.url == "/portal/", name
        else:
            assert web.status_code == 403, name
        api = by_api(user, "xlsx")
        assert api.status_code == 403 or (name == "citizen" and api.status_code == 302), name
        with pytest.raises(CommandError):
            by_command(user, "csv", tmp_path)
    assert not ExportLog.objects.exists()


def test_the_log_tells_the_interfaces_apart(personas, planted, tmp_path):
    by_command(personas.supervisor, "csv", tmp_path, personal=True)
    by_api(personas.analyst, "xlsx")
    by_web(personas.dispatcher, "csv")
    logs = {log.via: log for log in ExportLog.objects.all()}
    assert set(logs) == {ExportVia.COMMAND, ExportVia.API, ExportVia.WEB}
    assert logs["command"].user == personas.supervisor and logs["command"].personal_data
    assert logs["api"].user == personas.analyst and logs["api"].format == "xlsx" and logs["api"].row_count == 1
    assert logs["api"].filters["from"] == timezone.localdate().isoformat() and not logs["api"].personal_data
    assert logs["web"].user == personas.dispatcher and logs["web"].row_count == 1


def test_admins_search_the_export_log(personas, planted, tmp_path):
    by_api(personas.analyst, "csv")
    by_api(personas.leader, "csv", org="city-water")
    by_web(personas.dispatcher, "csv")
    client = Client()
    client.force_login(personas.admin)
    page = client.get("/admin/intake/exportlog/", {"q": "analyst"})
    assert page.status_code == 200 and [log.user for log in page.context["cl"].result_list] == [personas.analyst]
    page = client.get("/admin/intake/exportlog/", {"q": "city-water"})  # the filter's text
    assert page.status_code == 200 and [log.user for log in page.context["cl"].result_list] == [personas.leader]
    page = client.get("/admin/intake/exportlog/", {"via__exact": "api"})
    assert page.status_code == 200 and page.context["cl"].result_count == 2


def test_pushed_results_are_masked_and_carry_no_internal_note(personas, planted):
    payload = ResultDelivery.objects.get(appeal=planted).payload
    body = json.dumps(payload, ensure_ascii=False)
    assert leaks(body) == [] and "王小明" not in body  # a channel that publishes: the name too
    assert "138****1111" in payload["result_text"] and "reason" not in payload
    services.callback(planted, by=personas.supervisor, satisfaction="satisfied", solved=True)
    note = f"内部：回访员工号 {STAFF}"
    services.close(Appeal.objects.get(pk=planted.pk), by=personas.supervisor, reason=note)
    closing = ResultDelivery.objects.filter(appeal=planted).latest("id").payload
    assert closing["action"] == "close" and "内部" not in json.dumps(closing, ensure_ascii=False)


def test_a_trusted_channel_gets_the_reply_in_full(personas):
    Channel.objects.filter(code="gov-supervision").update(webhook_url="https://gov.example.org/hook", push_unmasked=True)
    Channel.objects.filter(code="12345-wechat").update(webhook_url="https://wx.example.org/hook")
    for code in ("gov-supervision", "12345-wechat"):
        appeal = advance(make_appeal(channel=code, citizen_name="王小明"), personas, "accepted")
        services.reply(appeal, by=personas.handler, result_type="solved", text=REPLY)
    trusted = ResultDelivery.objects.get(channel__code="gov-supervision").payload["result_text"]
    wechat = ResultDelivery.objects.get(channel__code="12345-wechat").payload["result_text"]
    assert trusted == REPLY
    assert leaks(wechat) == [] and wechat.startswith("王小明您好")  # the citizen's own channel: named


def _open311(appeal):
    record = Client().get(f"/open311/v2/requests/{appeal.number}.json").json()[0]
    updates = [u for u in Client().get("/open311/v2/servicerequestupdates.json").json()
               if u["service_request_id"] == appeal.number]
    return record, updates


def test_open311_shows_the_published_reply_only(personas, planted):
    record, updates = _open311(planted)
    shown = json.dumps([record, updates], ensure_ascii=False)
    assert leaks(shown) == [] and "王小明" not in shown
    assert record["status_notes"] is None  # replied, not yet published
    assert updates[-1]["description"] == "承办单位已答复，答复内容经审核后公开"

    reply = PublicReply.objects.get(appeal=planted)
    reply = public_replies.edit(reply, by=personas.supervisor, text="已处理，欢迎监督。联系 0537-3456789")
    public_replies.publish(reply, by=personas.supervisor)
    record, updates = _open311(planted)
    assert record["status_notes"] == updates[-1]["description"] == "已处理，欢迎监督。联系 0537-***6789"

    public_replies.withhold(PublicReply.objects.get(pk=reply.pk), by=personas.supervisor)
    record, updates = _open311(planted)
    assert record["status_notes"] is None and "欢迎监督" not in json.dumps(updates, ensure_ascii=False)


def test_a_held_back_reply_is_never_shown(personas, planted):
    public_replies.withhold(PublicReply.objects.get(appeal=planted), by=personas.supervisor)
    record, updates = _open311(planted)
    assert record["status_notes"] is None
    assert updates[-1]["description"] == "承办单位已答复，答复内容经审核后公开"
    assert public_replies.published_text(Appeal.objects.get(pk=planted.pk)) is None


def test_stored_control_characters_in_every_text_field_do_not_break_any_xlsx_export(personas, planted, tmp_path):
    """GIVEN text stored before intake refused control characters (NUL only where the database
    can hold it: PostgreSQL never could), WHEN any interface exports it as XLSX, THEN the file
    opens and the character is shown as U+FFFD."""
    from django.db import connection

    bad = ("\x00" if connection.vendor != "postgresql" else "") + "\x01\x08\x0b\x0c\x1b\x1f"
    fields = {"title": f"占道{bad}", "content": f"停{bad}电", "address": f"太白楼路{bad}8号",
              "citizen_name": f"王{bad}小明", "external_id": f"WZ{bad}1", "result_text": f"已{bad}处理",
              "promise": f"回{bad}访"}
    Appeal.objects.filter(pk=planted.pk).update(**fields)
    for user in (personas.supervisor, personas.analyst):
        outputs = {"command": by_command(user, "xlsx", tmp_path, personal=True),
                   "api": _body(by_api(user, "xlsx", personal=True)), "web": _body(by_web(user, "xlsx"))}
        for way, data in outputs.items():
            rows, text = _xlsx_text(data)
            row = dict(zip(rows[0], rows[1], strict=True))
            assert row["诉求内容"] == "停" + "\ufffd" * len(bad) + "电", (user, way)
            assert row["渠道编号"].startswith("WZ\ufffd") and "\ufffd" in row["答复内容"] + row["承诺事项"], (user, way)
            assert not any(c in text for c in bad), (user, way)
