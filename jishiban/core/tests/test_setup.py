"""``jishiban setup`` with a centre's own reference files: checked first (every problem names the
file and the entry, nothing written), written by code (a second run updates, never duplicates),
and the first administrator, from the environment or asked at the terminal."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jishiban.accounts.models import User
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region
from jishiban.taxonomy.models import Category

GAZETTEER = {"city": {"code": "3799", "name": "示例市"},
             "counties": [{"code": "379901", "name": "东城区"}, {"code": "379902", "name": "西山县", "short_name": "西山"}],
             "towns": [{"code": "379901001", "name": "东关街道", "county": "379901"}]}
TAXONOMY = {"categories": [{"code": "x1", "name": "市政", "parent": None, "level": 1},
                           {"code": "x101", "name": "道路", "parent": "x1", "level": 2, "reply_deadline": "3d"}]}
ORGANISATIONS = {"organisations": [
    {"code": "x-centre", "name": "示例市社会治理服务中心", "kind": "centre", "level": "city", "region": "3799"},
    {"code": "x-roads", "name": "示例市公路局", "kind": "department", "level": "city", "region": "3799",
     "domain": "roads", "parent": "x-centre"}]}


def files(tmp_path, gazetteer=GAZETTEER, taxonomy=TAXONOMY, organisations=ORGANISATIONS) -> list[str]:
    args = []
    for option, data in (("--gazetteer", gazetteer), ("--taxonomy", taxonomy), ("--organisations", organisations)):
        path = tmp_path / f"{option[2:]}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        args += [option, str(path)]
    return args


def setup(*args):
    out = StringIO()
    with translation.override("zh-hans"):  # another test on this worker may have left English on
        call_command("setup", "--skip-migrate", "--no-input", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_centres_own_files_load_once_and_update_on_the_next_run(db, tmp_path, monkeypatch):
    out = setup(*files(tmp_path))
    assert "乡镇街道：新增 1" in out and "分类：新增 2" in out and "单位：新增 2" in out
    assert Region.objects.get(code="379902").short_name == "西山"
    assert Organisation.objects.get(code="x-roads").parent.code == "x-centre"
    renamed = {**TAXONOMY, "categories": [TAXONOMY["categories"][0], {**TAXONOMY["categories"][1], "name": "道路养护"}]}
    out = setup(*files(tmp_path, taxonomy=renamed))
    assert "分类：新增 0，更新 1，未变 1" in out and "单位：新增 0，更新 0，未变 2" in out
    assert Category.objects.filter(code="x101").count() == 1 and Category.objects.get(code="x101").name == "道路养护"


def test_every_problem_names_the_file_and_entry_and_nothing_is_written(db, tmp_path):
    gazetteer = {**GAZETTEER, "towns": [{"code": "379901002", "name": "北关街道", "county": "379999"}]}
    taxonomy = {"categories": [{"code": "x2", "name": "教育", "parent": "x1", "level": 1},
                               {"code": "x201", "name": "学校", "parent": "nope", "level": 2, "reply_deadline": "soon"}]}
    organisations = {"organisations": [{"code": "y", "name": "某单位", "kind": "club", "level": "city", "region": "0000"}]}
    before = (Region.objects.count(), Category.objects.count(), Organisation.objects.count())
    with pytest.raises(CommandError) as err:
        setup(*files(tmp_path, gazetteer, taxonomy, organisations))
    message = str(err.value)
    assert "gazetteer.json: towns[0]（379901002 北关街道）.county" in message and "379999" in message
    assert "taxonomy.json: categories[0]（x2 教育）.parent" in message
    assert "categories[1]（x201 学校）.parent" in message and "categories[1]（x201 学校）.reply_deadline" in message
    assert "organisations.json: organisations[0]（y 某单位）.kind" in message and ".region" in message
    assert (Region.objects.count(), Category.objects.count(), Organisation.objects.count()) == before


def test_a_file_that_is_not_json_names_its_line(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"city": {"code": "1",\n  oops}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json：第 2 行"):
        setup("--gazetteer", str(broken))
    nameless = {**GAZETTEER, "towns": [{"code": "379901003", "county": "379901"}]}
    with pytest.raises(CommandError, match=r"gazetteer\.json: towns\[0\]（379901003）\.name: 缺少此项"):
        setup(*files(tmp_path, gazetteer=nameless))


def test_the_project_files_load_again_without_a_change(reference_data):
    out = setup()
    assert "乡镇街道：新增 0，更新 0，未变 158" in out and "单位：新增 0，更新 0，未变 355" in out


def test_the_first_administrator_from_the_environment(reference_data, monkeypatch):
    monkeypatch.setenv("JISHIBAN_ADMIN_PASSWORD", "Centre-Admin-2026!")
    assert "已建立管理员 chief" in setup("--admin", "chief")
    chief = User.objects.get(username="chief")
    assert chief.is_superuser and chief.role == "admin" and chief.check_password("Centre-Admin-2026!")
    assert chief.organisation.code == "centre-city"
    assert "已有管理员：chief" in setup("--admin", "chief")
    assert User.objects.filter(is_superuser=True).count() == 1


def test_a_weak_or_missing_password_creates_no_administrator(reference_data, monkeypatch):
    with pytest.raises(CommandError, match="JISHIBAN_ADMIN_PASSWORD"):
        setup("--admin", "chief")
    monkeypatch.setenv("JISHIBAN_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="管理员密码不符合要求"):
        setup("--admin", "chief")
    assert not User.objects.filter(username="chief").exists()


def test_the_first_administrator_asked_at_the_terminal(reference_data, monkeypatch):
    monkeypatch.delenv("JISHIBAN_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "chief")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Centre-Admin-2026!")
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("setup", "--skip-migrate", stdout=out, stderr=StringIO())
    assert "已建立管理员 chief" in out.getvalue()
    assert User.objects.get(username="chief").check_password("Centre-Admin-2026!")
