"""The one endpoint every action form posts to: form → ``actions.perform`` → service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from jishiban.appeals.models import AppealEvent
from jishiban.appeals.workflow import Action
from jishiban.core import dates
from jishiban.core.pages import apply_errors, safe_next
from jishiban.sla.notices import warn as calendar_notice

from ..action_table import ACTIONS, EVENT_LABELS, perform
from ..selectors.detail import get_visible_appeal
from .detail import render_detail
from .dispatch import after_dispatch, dispatched_message


@require_POST
@login_required
def act(request, pk: int, action: str):
    """Validate the action's form and call its service with the version the user saw.

    Invalid input re-renders the detail page with the errors next to the fields (nothing saved);
    a conflict tells who did what and reloads the appeal.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    appeal = get_visible_appeal(request.user, pk)
    detail_url = reverse("web:appeal_detail", args=[appeal.pk])
    form = spec.form(request.POST, request.FILES, appeal=appeal, user=request.user)
    if form.is_valid() and form.cleaned_data["expected_version"] != appeal.version:
        messages.error(request, stale_message(appeal))
        return redirect(detail_url)
    if form.is_valid():
        before, was = (appeal.sign_deadline, appeal.reply_deadline), appeal.status
        try:
            updated = perform(action, appeal, by=request.user, data=form.cleaned_data)
        except ConflictError:
            messages.error(request, stale_message(get_visible_appeal(request.user, pk)))
            return redirect(detail_url)
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message)
        except ActionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect(safe_next(request, detail_url))
        except AppealValidationError as exc:
            apply_errors(form, exc.errors)
        else:
            if action == Action.DISPATCH:
                # The desk moves on: confirmed, then the next appeal of the queue it came from.
                messages.success(request, dispatched_message(updated))
                detail_url = after_dispatch(request, updated, was=was)
            else:
                messages.success(request, _("%(action)s：%(number)s 已完成，当前状态“%(status)s”")
                                 % {"action": spec.label, "number": updated.number,
                                    "status": updated.get_status_display()})
            # A deadline this action set (dispatch, reopening, an extension asked or granted)
            # in a year without holiday data: the person who set it is told.
            changed = [new for old, new in zip(before, (updated.sign_deadline, updated.reply_deadline), strict=True)
                       if new is not None and new != old]
            calendar_notice(request, timezone.now(), *changed, form.cleaned_data.get("new_deadline"))
            return redirect(safe_next(request, detail_url))
    return render_detail(request, appeal, bound={action: form}, status=422)


def stale_message(appeal) -> str:
    """Who changed the appeal since the user loaded it, and what they did."""
    last = (AppealEvent.objects.filter(appeal=appeal).select_related("actor", "actor_unit")
            .order_by("-at", "-id").first())
    if last is None:
        return _("诉求件 %(n)s 已被他人修改，已为您刷新") % {"n": appeal.number}
    who = (last.actor.get_full_name() or last.actor.username) if last.actor else _("系统")
    if last.actor_unit:
        who = f"{last.actor_unit} {who}"
    return _("诉求件 %(n)s 已被 %(who)s 于 %(when)s %(what)s，当前状态“%(status)s”，已为您刷新") % {
        "n": appeal.number, "who": who, "when": dates.when(last.at),
        "what": EVENT_LABELS.get(last.action, last.action), "status": appeal.get_status_display()}
