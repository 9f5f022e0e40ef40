"""One appeal, everything about it, and the actions this user may take on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts.policy import works_the_desk
from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.appeals.permissions import available_actions, may_note
from jishiban.appeals.privacy import citizen_display, may_see_identity, reveal
from jishiban.core.pages import apply_errors

from .. import smart_bridge
from ..action_table import ACTIONS, offered
from ..forms.action_forms import NoteForm
from ..selectors.detail import attachments_of, detail_context, get_visible_appeal
from ..services import add_note


def action_forms(user, appeal, *, bound: dict | None = None, context: dict | None = None) -> list[dict]:
    """``[{action, spec, form, open}]`` for every action ``user`` may take now (bound ones kept)."""
    bound = bound or {}
    out = []
    allowed = set(offered(available_actions(user, appeal)))
    for action, spec in ACTIONS.items():  # the registry's order: main steps first
        if action not in allowed:
            continue
        form = bound.get(action)
        if form is None:
            initial = {}
            if action == "dispatch" and context and context.get("dispatch_suggestion"):
                s = context["dispatch_suggestion"]
                initial = {"lead_unit": s["lead"].pk, "co_units": [u.pk for u in s["co"]],
                           "explanation": s["explanation"], "suggested_lead": s["lead"].pk}
            if action == "merge" and context and context.get("hints"):
                initial = {"into": context["hints"][0].candidate.number}
            form = spec.form(appeal=appeal, user=user, initial=initial)
        out.append({"action": action, "spec": spec, "form": form, "open": action in bound})
    if not bound:
        # Unfold the main next step (e.g. 签收, 派单, 回访) so it is one keystroke away.
        first = next((a for a in out if a["spec"].style == "primary"), None)
        if first:
            first["open"] = True
    return out


def render_detail(request, appeal, *, bound: dict | None = None, note_form=None, status: int = 200):
    user = request.user
    ctx = detail_context(user, appeal)
    desk = works_the_desk(user)  # centre and county desk: suggestions and risk flags
    if desk and appeal.status in ("received", "returned", "dispatched"):
        ctx["dispatch_suggestions"] = smart_bridge.DispatchAdvisor(many=False, user=user).suggestions(appeal)
        ctx["dispatch_suggestion"] = (ctx["dispatch_suggestions"] or [None])[0]
        ctx["category_suggestions"] = smart_bridge.category_suggestions(appeal.content) \
            if appeal.status in ("received", "returned") else None
    ctx.update({
        "appeal": appeal, "now": timezone.now(), "shown": citizen_display(user, appeal),
        "can_reveal": bool(appeal.citizen_phone and not appeal.anonymous and may_see_identity(user, appeal)),
        "risk_tags": smart_bridge.risk_tags(appeal),
        "risk_flags": smart_bridge.risk_flags_for_text(appeal.content) if desk else [],
        "can_note": may_note(user, appeal),
        "note_form": note_form or NoteForm(),
    })
    ctx["actions"] = action_forms(user, appeal, bound=bound, context=ctx)
    return render(request, "web/detail/page.html", ctx, status=status)


@login_required
def detail(request, pk: int):
    return render_detail(request, get_visible_appeal(request.user, pk))


@require_POST
@login_required
def reveal_phone(request, pk: int):
    """The full phone number for a permitted user; each reveal is logged (``privacy.reveal``)."""
    appeal = get_visible_appeal(request.user, pk)
    try:
        value = reveal(request.user, appeal, "citizen_phone")
    except PermissionError as exc:
        return HttpResponse(format_html('<span class="field-error">{}</span>', str(exc)), status=403)
    return HttpResponse(format_html('<a href="tel:{0}" class="revealed">{0}</a> <span class="muted small">{1}</span>',
                                    value, _("（已留痕）")))


@require_POST
@login_required
def note(request, pk: int):
    appeal = get_visible_appeal(request.user, pk)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_note(appeal, by=request.user, text=form.cleaned_data["text"], files=form.cleaned_data["attachments"])
        except AppealValidationError as exc:
            apply_errors(form, exc.errors)
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("意见已保存"))
            return redirect("web:appeal_detail", pk=appeal.pk)
    return render_detail(request, appeal, note_form=form, status=422)


@login_required
def attachment(request, pk: int, attachment_id: int):
    """Download an attachment of an appeal the user may see (404 otherwise)."""
    from django.http import FileResponse, Http404

    appeal = get_visible_appeal(request.user, pk)
    row = next((a for a in attachments_of(appeal) if a.pk == attachment_id), None)
    if row is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), as_attachment=not row.content_type.startswith("image/"),
                            filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
