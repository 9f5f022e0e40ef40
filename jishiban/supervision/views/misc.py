"""My notifications, and reminder letters (提醒函)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals.errors import ActionForbidden

from .. import access, letters, selectors
from ..forms import LetterForm
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
    })


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
    can_generate = access.may_manage(request.user)
    form = LetterForm(request.POST or None, unit_queryset=access.units_in_scope(request.user))
    if request.method == "POST":
        if not can_generate:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            period, unit = form.cleaned_data["period"], form.cleaned_data["unit"]
            try:
                made = ([letters.generate(unit, period, by=request.user)] if unit
                        else letters.generate_for_period(period, by=request.user))
            except ActionForbidden:
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied
            messages.success(request, _("已生成 %(n)d 份提醒函") % {"n": len(made)})
            return redirect("supervision:letters")
    return render(request, "supervision/letters.html", {
        "letters": page(request, letters.letters_query(request.user)), "form": form, "can_generate": can_generate,
        "nav_active": "supervision",
    })


@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def letter_download(request, pk):
    letter = access.letters_for(request.user).filter(pk=pk).select_related("unit").first()
    if letter is None or not letter.file:
        raise Http404
    return FileResponse(letter.file.open("rb"), as_attachment=True,
                        filename=f"提醒函-{letter.unit.name}-{letter.period}.docx",
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
