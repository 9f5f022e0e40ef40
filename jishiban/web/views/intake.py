"""The call desk (话务受理): one screen for a live phone call."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.appeals.permissions import available_actions
from jishiban.calls.services import link_posted_call
from jishiban.core.pages import apply_errors
from jishiban.core.views import gate
from jishiban.intake.pipeline import normalise_phone
from jishiban.regions.models import Region
from jishiban.smart import selectors as smart_selectors
from jishiban.taxonomy.models import Category
from jishiban.taxonomy.selectors import search as category_search_of

from .. import smart_bridge
from ..forms.intake import DEFAULT_CHANNEL, IntakeForm
from ..selectors.desk import LIST_RELATED, attach_hints, caller_history
from ..services import take_call

SESSION_DONE = "web_intake_done"
CATEGORY_RESULTS = 15


def _urls() -> dict:
    return {name: reverse(f"web:intake_{name}") for name in ("caller", "assist", "locate", "towns", "label")}


@gate("intake")
def intake(request):
    if request.method == "POST":
        return submit_call(request, request.POST)
    form = IntakeForm(initial={"channel": DEFAULT_CHANNEL}, urls=_urls())
    return render(request, "web/intake/page.html", {
        "form": form, "done": _last_created(request), "nav_active": "intake", "suggestions": None,
    })


def submit_call(request, data, *, extra: dict | None = None, refusal: str = "", answered_message: str = ""):
    """The call desk's form posted: ``take_call`` with the cleaned form (plus ``extra``, such as
    the knowledge entry an answer quotes), then back to the desk, or the form again with its
    errors (422). ``refusal`` is an error the caller found before the form (nothing is taken);
    ``answered_message`` replaces the message of a direct answer."""
    form = IntakeForm(data, urls=_urls())
    if refusal:
        form.is_valid()
        form.add_error(None, refusal)
    elif form.is_valid():
        try:
            outcome = take_call({**form.cleaned_data, **(extra or {})}, by=request.user)
        except AppealValidationError as exc:
            apply_errors(form, exc.errors)
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[SESSION_DONE] = outcome.appeal.pk
            link_posted_call(request, outcome.appeal)  # the popped-up call this appeal was taken from
            if not outcome.created:
                messages.info(request, _("该来电已受理为 %(n)s（重复提交，未另建）") % {"n": outcome.appeal.number})
            elif outcome.answered:
                messages.success(request, (answered_message or _("已直接办结：%(n)s")) % {"n": outcome.appeal.number})
            else:
                messages.success(request, _("已受理并转派单：%(n)s") % {"n": outcome.appeal.number})
            return redirect("web:intake")
    return render(request, "web/intake/page.html", {
        "form": form, "done": None, "nav_active": "intake",
        "suggestions": smart_bridge.category_suggestions(data.get("content", "")),
    }, status=422)


def _last_created(request):
    pk = request.session.pop(SESSION_DONE, None)
    if not pk:
        return None
    appeal = Appeal.objects.visible_to(request.user).select_related("lead_unit", "category").filter(pk=pk).first()
    if appeal is None:
        return None
    attach_hints(request.user, [appeal])
    hints = appeal.hints or smart_selectors.draft_duplicates(request.user, text="", exclude=appeal,
                                                             related=LIST_RELATED)
    return {"appeal": appeal, "hints": hints, "can_merge": "merge" in available_actions(request.user, appeal)}


# --- htmx helpers of the form -------------------------------------------------------------------

def _params(request):
    """The side panels post the form (a long text does not fit in a URL); GET still answers."""
    return request.POST if request.method == "POST" else request.GET


@require_http_methods(["GET", "POST"])
@gate("intake")
def caller(request):
    """The caller's earlier appeals (and, out of band, duplicates by phone)."""
    now = timezone.now()
    phone = _params(request).get("citizen_phone", "")
    history = caller_history(request.user, phone, now=now)
    dups = _duplicates(request, now)
    return render(request, "web/intake/_caller.html", {"history": history, "dups": dups, "oob": True})


@require_http_methods(["GET", "POST"])
@gate("intake")
def assist(request):
    """Possible duplicates of what is being typed, and (out of band) category suggestions."""
    now = timezone.now()
    suggestions = smart_bridge.category_suggestions(_params(request).get("content", ""))
    return render(request, "web/intake/_assist.html", {"dups": _duplicates(request, now), "suggestions": suggestions})


def _duplicates(request, now):
    """Appeals in smart help's duplicate index that may be the call being typed."""
    g = _params(request)
    text = (g.get("title", "") + " " + g.get("content", "")).strip()
    return smart_selectors.draft_duplicates(request.user, text=text, phone=normalise_phone(g.get("citizen_phone", "")),
                                            address=g.get("address", ""), now=now, related=LIST_RELATED)


@require_http_methods(["GET", "POST"])
@gate("intake")
def locate(request):
    """County/town selects, pre-set from the address when the operator has not chosen them."""
    data = _params(request).copy()
    found = smart_bridge.locate(data.get("address", ""))
    applied = False
    if found and not data.get("county"):
        data["county"] = found["county"].code
        data["town"] = found["town"].code if found["town"] else ""
        applied = True
    form = IntakeForm(data, urls=_urls())
    return render(request, "web/intake/_region.html", {"form": form, "found": found, "applied": applied,
                                                       "located": True})


@require_http_methods(["GET", "POST"])
@gate("intake")
def towns(request):
    data = _params(request).copy()
    if data.get("town") and not Region.objects.filter(code=data["town"], parent__code=data.get("county")).exists():
        data["town"] = ""
    return render(request, "web/intake/_region.html", {"form": IntakeForm(data, urls=_urls())})


@require_GET
@gate("intake")
def category_search(request):
    q = (request.GET.get("q") or "").strip()
    results = category_search_of(q, CATEGORY_RESULTS)
    return render(request, "web/intake/_categories.html", {"results": results, "q": q})


@require_GET
@gate("intake")
def category_label(request):
    category = Category.objects.filter(code=request.GET.get("code", "")).select_related("parent__parent").first()
    return render(request, "web/intake/_category_label.html", {"category": category})

