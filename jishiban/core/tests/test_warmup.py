"""The warm-up at worker start: the caches a first request would fill are filled before it, the
unit index is still rebuilt when a unit changes, and a worker starts on an empty, unmigrated
or unreachable database (the steps that need it are skipped and logged)."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.template import engines

from jishiban.core.warmup import project_templates, warm_up
from jishiban.organisations.models import Organisation
from jishiban.organisations.selectors import UNIT_INDEX
from jishiban.testing import make_appeal

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def counted_index_builds():
    """Counts the unit index's builds (the Lookup's loader), keeping what it builds."""
    original = UNIT_INDEX._load
    counter = mock.Mock(wraps=original)
    with mock.patch.object(UNIT_INDEX, "_load", counter):
        yield counter


@pytest.mark.django_db
def test_after_warm_up_the_appeal_page_and_the_picker_build_no_index(client, personas, counted_index_builds):
    appeal = make_appeal()
    done = warm_up(duplicates=False)
    assert counted_index_builds.call_count == 1
    assert all(isinstance(seconds, float) for seconds in done.values()), done
    client.force_login(personas.dispatcher)
    page = client.get(f"/appeals/{appeal.pk}/")
    assert page.status_code == 200 and "data-unit-picker" in page.content.decode()
    found = client.get("/dispatch/units/", {"q": "zjj", "appeal": appeal.pk})
    assert "任城区住房和城乡建设局" in [c["unit"].name for c in found.context["choices"]]
    assert counted_index_builds.call_count == 1  # the picker searched the warm index


@pytest.mark.django_db
def test_a_changed_unit_still_rebuilds_the_warm_index(client, personas, counted_index_builds):
    warm_up(duplicates=False)
    unit = Organisation.objects.get(code="370811-water")
    unit.short_name = "任城水务所"
    unit.save()
    client.force_login(personas.dispatcher)
    found = client.get("/dispatch/units/", {"q": "水务所"}).context["choices"]
    assert counted_index_builds.call_count == 2
    assert [c["unit"].code for c in found] == ["370811-water"]


@pytest.mark.django_db
def test_warm_up_compiles_the_templates_into_the_cached_loader():
    warm_up(duplicates=False)
    loader = engines["django"].engine.template_loaders[0]
    if not hasattr(loader, "get_template_cache"):
        pytest.skip("the test settings do not cache templates")
    assert "web/detail/page.html" in project_templates()
    assert {"web/detail/page.html", "web/lists/page.html", "web/base.html"} <= set(loader.get_template_cache)


def _warm_up_in_a_process(database_url: str) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from jishiban.core.warmup import warm_up; "
            "done = warm_up(); print(sorted(done.items()))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jishiban.settings", "DATABASE_URL": database_url,
           "SECRET_KEY": "warm-up-test-secret-key-long-enough-for-checks", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_warm_up_survives_an_empty_unmigrated_database(tmp_path):
    result = _warm_up_in_a_process(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert "('unit index', 'failed: OperationalError: no such table" in result.stdout
    assert "('pinyin', " in result.stdout and "warm-up: unit index failed" in result.stderr
    assert "warm-up done in" in result.stderr


def test_warm_up_survives_a_database_that_cannot_be_reached():
    result = _warm_up_in_a_process("postgres://postgres@127.0.0.1:9/nowhere")  # port 9: nothing listens
    assert result.returncode == 0, result.stderr
    assert "('unit index', 'skipped: no database')" in result.stdout
    assert "the database cannot be reached" in result.stderr
    assert "('templates', " in result.stdout and "duplicate index" not in result.stdout
