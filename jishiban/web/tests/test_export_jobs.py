"""Every export of the list works whatever its size and says how many rows it holds: small ones
come at once, large ones are written by a background job with progress and a download link."""

import io

import pytest
from openpyxl import load_workbook

from jishiban.intake.models import ExportLog
from jishiban.testing import make_appeal
from jishiban.web.models import ExportJob

pytestmark = pytest.mark.django_db


def _workbook_rows(content: bytes):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_small_unfiltered_export_comes_at_once_and_names_its_row_count(login, personas):
    for i in range(3):
        make_appeal(content=f"停水{i}")
    response = login(personas.supervisor).get("/appeals/export.xlsx")
    assert response.status_code == 200 and response["X-Export-Rows"] == "3"
    assert "3.xlsx" in response["Content-Disposition"] and "filename*=UTF-8''" in response["Content-Disposition"]
    assert len(_workbook_rows(response.content)) == 4  # the header and three rows
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_large_unfiltered_export_is_queued_shows_progress_and_downloads(
        login, personas, settings, django_capture_on_commit_callbacks, fmt):
    settings.JISHIBAN_WEB_EXPORT_DIRECT = 2
    for i in range(5):
        make_appeal(content=f"路灯不亮{i}")
    client = login(personas.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/appeals/export.{fmt}")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/exports/{job.pk}/"
    assert job.status == "done" and job.total == job.written == 5  # the queue runs inline in tests
    page = client.get(response["Location"]).content.decode()
    assert "共 5 条" in page and f"/appeals/exports/{job.pk}/download/" in page
    download = client.get(f"/appeals/exports/{job.pk}/download/")
    body = b"".join(download.streaming_content)
    assert download["X-Export-Rows"] == "5"
    if fmt == "xlsx":
        assert len(_workbook_rows(body)) == 6
    else:
        assert len(body.decode("utf-8-sig").strip().splitlines()) == 6
    assert ExportLog.objects.get().row_count == 5


def test_a_queued_export_still_running_polls_its_progress(login, personas, settings):
    settings.JISHIBAN_WEB_EXPORT_DIRECT = 2
    from django.utils import timezone

    job = ExportJob.objects.create(user=personas.supervisor, fmt="xlsx", total=1000, written=250,
                                   status="running", created_at=timezone.now())
    page = login(personas.supervisor).get(f"/appeals/exports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "已写 250 / 1000 条" in page


def test_someone_elses_export_is_not_found(login, personas, settings, django_capture_on_commit_callbacks):
    settings.JISHIBAN_WEB_EXPORT_DIRECT = 0
    make_appeal()
    with django_capture_on_commit_callbacks(execute=True):
        login(personas.supervisor).get("/appeals/export.csv")
    job = ExportJob.objects.get()
    other = login(personas.analyst)
    assert other.get(f"/appeals/exports/{job.pk}/").status_code == 404
    assert other.get(f"/appeals/exports/{job.pk}/download/").status_code == 404
