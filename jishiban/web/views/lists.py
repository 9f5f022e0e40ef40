"""Search and lists: filters, keyset paging, saved filters, CSV/XLSX export."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.core.views import gate

from .. import export, export_jobs, services
from ..forms.filters import PAGING_KEYS, SavedFilterForm
from ..models import SavedFilter
from ..selectors.listing import export_rows, filtered_list, keyset_page, narrows_to_open


def _filter_query(request) -> str:
    """The request's filters as a query string (without paging state)."""
    pairs = [(k, v) for k, values in request.GET.lists() if k not in PAGING_KEYS for v in values if v != ""]
    return urlencode(pairs)


def _filtered(request, now):
    return filtered_list(request.user, request.GET, now=now)


@gate("list")
def appeal_list(request):
    now = timezone.now()
    form, qs, criteria = _filtered(request, now)
    sort = criteria.sort if criteria else "-received_at"
    page = keyset_page(qs, sort=sort, after=request.GET.get("after", ""), before=request.GET.get("before", ""),
                       small_set=bool(criteria and narrows_to_open(criteria)))
    query = _filter_query(request)
    # Filters that cannot be applied (a date no one could mean) show the list unfiltered with the
    # form's messages, answered as what it is: a bad request.
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/lists/page.html", {
        "form": form, "page": page, "query": query, "now": now, "nav_active": "list",
        "saved": list(SavedFilter.objects.filter(user=request.user)), "save_form": SavedFilterForm(
            initial={"querystring": query}),
        "sort_links": _sort_links(request, sort), "may_export": export.may_export(request.user),
    }, status=status)


def _sort_links(request, current: str) -> dict:
    """For each sortable column, the URL that sorts by it (toggling direction when already sorted)."""
    base = [(k, v) for k, values in request.GET.lists() if k not in PAGING_KEYS + ("sort",) for v in values]
    links = {}
    for field in ("received_at", "reply_deadline", "number"):
        target = f"-{field}" if current == field else field
        if field == "received_at" and current not in ("-received_at", "received_at"):
            target = "-received_at"
        links[field] = "?" + urlencode(base + [("sort", target)])
    return links


@gate(export.may_export)
def export_list(request, fmt: str):
    """The current list (no paging) as CSV or XLSX, masked as shown, at most ``export_limit()``
    rows. Up to ``export_jobs.direct_limit()`` rows the file comes at once (its name says how many
    rows it holds); a larger one is written by a background job whose page shows its progress
    and then the download."""
    now = timezone.now()
    form, qs, criteria = _filtered(request, now)
    if form.is_bound and form.errors:
        problems = "；".join(f"{form.fields[name].label or name}：{' '.join(errors)}" if name in form.fields
                            else " ".join(errors) for name, errors in form.errors.items())
        return HttpResponseBadRequest(_("筛选条件有误，未导出：%(problems)s") % {"problems": problems},
                                      content_type="text/plain; charset=utf-8")
    count = export_jobs.count_for(qs)
    if count > export_jobs.direct_limit():
        job = export_jobs.start(request.user, querystring=_filter_query(request), fmt=fmt, total=count)
        return redirect("web:export_job", pk=job.pk)
    sort = criteria.sort if criteria else "-received_at"
    export.log(request.user, filters=dict(request.GET.lists()), fmt=fmt, row_count=count)
    rows = export_rows(qs, sort=sort, limit=export.export_limit()).iterator(chunk_size=2000)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(
            export.xlsx_bytes(request.user, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = StreamingHttpResponse(export.csv_stream(request.user, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"诉求件-{stamp}-{count}条.{fmt}",
                                                          f"appeals-{stamp}-{count}.{fmt}")
    response["X-Export-Rows"] = str(count)
    return response


def content_disposition(name: str, ascii_name: str) -> str:
    """An attachment named ``name`` (RFC 6266, UTF-8) with an ASCII fallback for old clients."""
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@gate(export.may_export)
def export_job(request, pk: int):
    """A queued export: its progress (the page polls itself) and, when written, the download."""
    job = export_jobs.jobs_of(request.user, pk)
    if job is None:
        raise Http404
    template = "web/lists/_export_job.html" if request.headers.get("HX-Request") else "web/lists/export_job.html"
    return render(request, template, {"job": job, "nav_active": "list"})


@gate(export.may_export)
def export_download(request, pk: int):
    job = export_jobs.jobs_of(request.user, pk)
    if job is None or job.status != job.Status.DONE or not job.file:
        raise Http404
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    response = FileResponse(job.file.open("rb"), content_type=(
        "text/csv; charset=utf-8" if job.fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = content_disposition(f"诉求件-{stamp}-{job.total}条.{job.fmt}",
                                                          f"appeals-{stamp}-{job.total}.{job.fmt}")
    response["X-Export-Rows"] = str(job.total)
    return response


@require_POST
@login_required
def save_filter(request):
    form = SavedFilterForm(request.POST)
    query = request.POST.get("querystring", "")
    if form.is_valid():
        services.save_filter(request.user, name=form.cleaned_data["name"],
                               querystring=form.cleaned_data["querystring"])
        messages.success(request, _("已保存筛选“%(name)s”") % {"name": form.cleaned_data["name"]})
    else:
        messages.error(request, _("筛选名称：%(e)s") % {"e": " ".join(form.errors.get("name", []))})
    return redirect(reverse("web:appeal_list") + ("?" + query if query else ""))


@require_POST
@login_required
def delete_filter(request, pk: int):
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    services.delete_filter(saved)
    messages.success(request, _("已删除筛选“%(name)s”") % {"name": saved.name})
    return redirect("web:appeal_list")
