"""My notifications, and reminder letters (提醒函)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals.errors import ActionForbidden

from .. import access, letters, selectors
from ..forms import LetterForm
from ..models import LetterRun, LetterStatus
from ..notifications import mark_read
from .common import gate, page


@login_required
def notification_list(request):
    qs = selectors.notifications_for(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    return render(request, "supervision/notifications.html", {
        "items": page(request, qs), "unread": selectors.unread_count(request.user),
        "only_unread": request.GET.get("unread") == "1", "nav_active": "supervision",
        "withdrawn_reason": _withdrawn_reason(),
    })


def _withdrawn_reason() -> str:
    from ..notices import WITHDRAWN_REASON

    return str(WITHDRAWN_REASON)


@require_POST
@login_required
def notification_read(request, pk=None):
    count = mark_read(request.user, None if pk is None else [pk])
    if pk is not None:
        note = selectors.notifications_for(request.user).filter(pk=pk).first()
        if note is None:
            raise Http404
        if note.url and request.POST.get("follow"):
            return redirect(note.url)
    elif count:
        messages.success(request, _("已全部标为已读"))
    return redirect("supervision:notifications")


@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def letter_list(request):
    """The letters, and for managers the generation of drafts: for one unit at once, or for the
    units the assessment names as a queued run whose progress the page follows."""
    can_generate = access.may_manage(request.user)
    form = LetterForm(request.POST or None, unit_queryset=access.units_in_scope(request.user))
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied
        if form.is_valid():
            period, unit = form.cleaned_data["period"], form.cleaned_data["unit"]
            try:
                if unit:
                    letter = letters.generate(unit, period, by=request.user)
                    return redirect("supervision:letter_preview", letter.pk)
            except ActionForbidden as exc:
                messages.error(request, str(exc))
                return redirect("supervision:letters")
            run = letters.start_run(period, by=request.user)
            return redirect(f"{reverse('supervision:letters')}?run={run.pk}")
    run = None
    if can_generate and (run_id := request.GET.get("run", "")).isdigit():
        run = LetterRun.objects.filter(pk=int(run_id), created_by=request.user).first()
    return render(request, "supervision/letters.html", {
        "letters": page(request, letters.letters_query(request.user)), "form": form, "can_generate": can_generate,
        "run": run, "nav_active": "supervision",
    })


@gate(access.may_manage)
def letter_run(request, pk):
    """The progress of a generation run (polled by the letters page)."""
    run = LetterRun.objects.filter(pk=pk, created_by=request.user).first()
    if run is None:
        raise Http404
    return render(request, "supervision/_letter_run.html", {"run": run})


@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def letter_preview(request, pk):
    """The letter as it will be sent (read from its .docx), with 发出 for a draft."""
    letter = access.letters_for(request.user).filter(pk=pk).select_related("unit").first()
    if letter is None or not letter.file:
        raise Http404
    return render(request, "supervision/letter_preview.html", {
        "letter": letter, "blocks": letters.preview_blocks(letter), "nav_active": "supervision",
        "can_send": letter.status == LetterStatus.DRAFT and access.may_manage(request.user),
    })


@require_POST
@gate(access.may_manage)
def letter_send(request, pk):
    letter = access.letters_for(request.user).filter(pk=pk).select_related("unit").first()
    if letter is None:
        raise Http404
    try:
        letter = letters.send(letter, by=request.user)
    except ActionForbidden as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已发出：%(number)s") % {"number": letter.number})
    return redirect("supervision:letter_preview", letter.pk)


@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def letter_download(request, pk):
    letter = access.letters_for(request.user).filter(pk=pk).select_related("unit").first()
    if letter is None or not letter.file:
        raise Http404
    return FileResponse(letter.file.open("rb"), as_attachment=True,
                        filename=f"提醒函-{letter.unit.name}-{letter.period}{'' if letter.number else '-草稿'}.docx",
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
