"""The intake desk's queue of submissions the content filter held (``held.py``): each with the
filter's reasons, the text as typed and its photos; 受理 hands it in, 不予受理 keeps it with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.core.views import gate

from . import held as held_submissions
from .models import HeldStatus, HeldSubmission

PAGE_SIZE = 50


@gate("intake")
def queue(request):
    status = request.GET.get("status") or HeldStatus.PENDING
    if status not in HeldStatus.values:
        status = HeldStatus.PENDING
    rows = (HeldSubmission.objects.filter(status=status).select_related("appeal", "decided_by")
            .prefetch_related("photos").order_by("-received_at" if status != HeldStatus.PENDING else "received_at"))
    return render(request, "portal/review.html", {
        "rows": rows[:PAGE_SIZE], "status": status, "statuses": HeldStatus.choices,
        "pending": HeldSubmission.objects.filter(status=HeldStatus.PENDING).count()})


@require_POST
@gate("intake")
def decide(request, pk: int, decision: str):
    row = HeldSubmission.objects.filter(pk=pk).first()
    if row is None or decision not in ("release", "reject"):
        raise Http404
    try:
        if decision == "release":
            handed = held_submissions.release(row, by=request.user)
            messages.success(request, _("已受理，诉求编号 %(number)s，已短信告知诉求人") % {"number": handed.appeal.number})
        else:
            held_submissions.set_aside(row, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("已标记为不予受理，提交内容仍保留"))
    except AppealValidationError as exc:
        messages.error(request, "；".join(str(m) for ms in exc.errors.values() for m in ms))
    except AppealError as exc:
        messages.error(request, exc.message)
    return redirect("portal:review")
