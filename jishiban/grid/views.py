"""The grid worker's phone pages (my grid, my tasks, report, an event), the town's feedback on an
event, the photos, the hand-over of an appeal from the workbench and the map. Thin: reads from
``selectors``, writes through ``services``; gates from the role policy's page table."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts import policy
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import citizen_display
from jishiban.core.pages import apply_errors, safe_next
from jishiban.core.views import gate

from . import forms, selectors, services
from .models import Photo, TaskKind
from .workflow import State

PAGE = "grid"


@gate(PAGE)
def home(request):
    user = request.user
    grids = list(selectors.grids_of(user))
    appeals = (Appeal.objects.visible_to(user).open().select_related("category", "grid").order_by("-received_at")[:30])
    rows = [{"appeal": a, "citizen": citizen_display(user, a)} for a in appeals]
    workers = selectors.workers_on_duty(grids)
    return render(request, "grid/home.html", {
        "grids": [{"grid": g, "worker": workers.get(g.pk)} for g in grids], "appeals": rows,
        "tasks": selectors.tasks_of(user).count(), "events": selectors.events_of(user)[:10], "nav_active": PAGE})


@gate(PAGE)
def tasks(request):
    user = request.user
    return render(request, "grid/tasks.html", {
        "open": selectors.tasks_of(user), "done": selectors.tasks_of(user, open_only=False).exclude(done_at=None)[:20],
        "form": forms.TaskForm(), "nav_active": PAGE})


@require_POST
@gate(PAGE)
def complete_task(request, pk: int):
    task = get_object_or_404(selectors.tasks_of(request.user), pk=pk)
    form = forms.TaskForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.complete_task(task, by=request.user, result=form.cleaned_data["result"],
                                   photos=forms.photo_bytes(form.cleaned_data["photos"]))
        except services.GridError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("任务已完成"))
    else:
        messages.error(request, _("请填写发现与处置情况"))
    return redirect("grid:tasks")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@gate(PAGE)
def report(request):
    """The report form; also the endpoint the offline drafts are synced to (JSON answer)."""
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                event, created = services.report_event(
                    by=request.user, event_id=d["id"], kind=d["kind"], subject=d["subject"], title=d["title"],
                    description=d["description"], details=form.details(), lat=d["lat"], lon=d["lon"],
                    photos=forms.photo_bytes(d["photos"]))
            except services.GridError as exc:
                apply_errors(form, exc.errors)
            else:
                url = reverse("grid:event", args=[event.pk])
                if _wants_json(request):
                    return JsonResponse({"id": str(event.pk), "created": created, "url": url})
                messages.success(request, _("事件已上报") if created else _("该事件此前已上报，未重复提交"))
                return redirect(url)
        if _wants_json(request):
            errors = {k if k != "__all__" else "location": [str(m) for m in v] for k, v in form.errors.items()}
            return JsonResponse({"errors": errors}, status=400)
    return render(request, "grid/report.html", {"form": form, "nav_active": PAGE}, status=400 if form.errors else 200)


def _event(request, pk):
    return get_object_or_404(selectors.events_visible_to(request.user).select_related(
        "grid__region", "grid__town", "reporter", "appeal"), pk=pk)


@login_required
def event(request, pk):
    ev = _event(request, pk)
    user = request.user
    worker = policy.is_grid_worker(user)
    desk = policy.may_feed_back_grid(user)
    in_hand = ev.state in (State.DISPATCHED, State.HANDLING)
    # The desk that holds it feeds back: the town's (or the county's for the town), once passed up the county's.
    town = desk and in_hand and (ev.escalation == "town" or (ev.escalation == "county" and not policy.is_unit_staff(user)))
    to_county = in_hand and ev.escalation == "town" and policy.may_escalate_grid_to_county(user, ev.grid.town_id)
    return render(request, "grid/event.html", {
        "event": ev, "steps": ev.steps.select_related("actor"), "photos": ev.photos.all(), "worker": worker,
        "town": town, "to_county": to_county, "may_evaluate": desk and ev.state == State.CLOSED,
        "may_invalidate": desk and ev.state in (State.COLLECTED, State.FILED), "result_form": forms.ResultForm(), "note_form": forms.NoteForm(), "verify_form": forms.VerifyForm(),
        "appeal_visible": ev.appeal_id and Appeal.objects.visible_to(user).filter(pk=ev.appeal_id).exists(),
        "nav_active": PAGE if worker else "grid_map"})


@require_POST
@login_required
def act(request, pk, action: str):
    ev = _event(request, pk)
    user = request.user
    try:
        if action in ("solve", "feed_back"):
            form = forms.ResultForm(request.POST, request.FILES)
            if not form.is_valid():
                raise services.GridError({"result": [_("请填写处理结果")]})
            if action == "solve":
                services.solve_on_spot(ev, by=user, result=form.cleaned_data["result"],
                                       photos=forms.photo_bytes(form.cleaned_data["photos"]))
            else:
                services.feed_back(ev, by=user, result=form.cleaned_data["result"])
        elif action in ("town", "appeal"):
            note = request.POST.get("note", "")
            if action == "town":
                services.escalate_to_town(ev, by=user, note=note)
            else:
                services.escalate_to_appeal(ev, by=user, note=note)
        elif action == "county":
            services.escalate_to_county(ev, by=user, note=request.POST.get("note", ""))
        elif action == "evaluate":
            try:
                rating = int(request.POST.get("rating", ""))
            except ValueError:
                rating = 0
            services.evaluate(ev, by=user, rating=rating, note=request.POST.get("note", ""))
        elif action == "invalidate":
            services.invalidate(ev, by=user, reason=request.POST.get("note", ""))
        elif action == "verify":
            form = forms.VerifyForm(request.POST, request.FILES)
            if not form.is_valid():
                raise services.GridError({"passed": [_("请选择核查结论")]})
            services.verify(ev, by=user, passed=form.cleaned_data["passed"], note=form.cleaned_data["note"],
                            photos=forms.photo_bytes(form.cleaned_data["photos"]))
        else:
            raise Http404
    except services.GridError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已提交"))
    return redirect("grid:event", pk=ev.pk)


@login_required
def photo(request, pk: int):
    row = get_object_or_404(Photo, pk=pk)
    if row.event_id:
        if not selectors.events_visible_to(request.user).filter(pk=row.event_id).exists():
            raise Http404
    elif not (selectors.tasks_of(request.user, open_only=False).filter(pk=row.task_id).exists()
              or Appeal.objects.visible_to(request.user).filter(grid_tasks__pk=row.task_id).exists()):
        raise Http404  # a task's photos: its worker, and whoever sees the appeal it reports on
    return FileResponse(row.file.open("rb"), content_type=row.content_type)


@require_POST
@login_required
def assign(request, number: str):
    """From the appeal page of a dispatcher or handler: hand the appeal to its grid's worker."""
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), number=number)
    form = forms.AssignForm(request.POST)
    back = safe_next(request, reverse("web:appeal_detail", args=[appeal.pk]))
    if not form.is_valid():
        messages.error(request, _("请选择核实或协助"))
        return redirect(back)
    try:
        task = services.assign_appeal(appeal, by=request.user, kind=form.cleaned_data["kind"],
                                      reason=form.cleaned_data["reason"])
    except services.GridError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已交网格员 %(w)s %(k)s") % {
            "w": task.worker.get_full_name() or task.worker.username, "k": TaskKind(task.kind).label})
    return redirect(back)
