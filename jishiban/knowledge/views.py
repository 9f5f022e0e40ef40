"""Pages of the knowledge base, and the two helpers of the call desk: entries suggested while
the operator types, and 直接办结 with an entry quoted (through the desk's ``take_call``, whose
answer is ``appeals.services.answer_directly``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts.policy import (
    is_unit_staff,
    may_maintain_knowledge,
    may_read_knowledge_figures,
    sees_all,
)
from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.core.dates import day
from jishiban.core.pages import apply_errors
from jishiban.core.params import MAX_SMALL, ParameterError, integer
from jishiban.core.views import gate
from jishiban.organisations.models import Organisation
from jishiban.taxonomy.lookup import CATEGORIES

from . import selectors, services
from .forms import EntryForm
from .models import EntryKind
from .text import freshness

PAGE_SIZE = 50


def _pk(value) -> int | None:
    try:
        return integer(value, "pk", minimum=1, maximum=MAX_SMALL)
    except ParameterError:
        return None


@gate("knowledge")
def entries(request):
    g = request.GET
    owner = Organisation.objects.filter(code=g.get("owner", "")).first() if g.get("owner") else None
    kind = g.get("kind", "") if g.get("kind", "") in EntryKind.values else ""
    q = (g.get("q") or "").strip()[:100]
    today = timezone.localdate()
    rows = list(selectors.entries(q=q, owner=owner, kind=kind, stale=g.get("stale") == "1", today=today)[:PAGE_SIZE])
    for e in rows:
        e.fresh = freshness(e.review_due, today)
    return render(request, "knowledge/entries.html", {
        "rows": rows, "q": q, "kind": kind, "kinds": EntryKind.choices, "owner": owner,
        "stale": g.get("stale") == "1", "may_add": may_maintain_knowledge(request.user),
        "may_figures": may_read_knowledge_figures(request.user), "nav_active": "knowledge",
    })


def _fixed_unit(user):
    return user.organisation if is_unit_staff(user) and not sees_all(user) else None


@gate("knowledge")
def entry_new(request):
    if not may_maintain_knowledge(request.user):
        raise Http404
    form = EntryForm(request.POST or None, fixed_unit=_fixed_unit(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.create_entry(by=request.user, title=d["title"], body=d["body"], kind=d["kind"],
                                          owner_unit=d["owner_unit"], category=d["category"], region=d["region"],
                                          review_days=d["review_days"], note=d["note"])
        except AppealValidationError as exc:
            apply_errors(form, exc.errors)
        except AppealError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已新建知识条目：%(t)s") % {"t": entry.title})
            return redirect("knowledge:entry", pk=entry.pk)
    return render(request, "knowledge/edit.html", {"form": form, "entry": None, "nav_active": "knowledge"},
                  status=422 if form.is_bound else 200)


@gate("knowledge")
def entry_detail(request, pk: int):
    entry = selectors.entry(pk)
    if entry is None:
        raise Http404
    may_edit = may_maintain_knowledge(request.user, owner_unit=entry.owner_unit)
    form = None
    status = 200
    if may_edit:
        initial = {"kind": entry.kind, "title": entry.title, "body": entry.body, "category": entry.category_id,
                   "region": entry.region_id, "owner_unit": entry.owner_unit_id, "review_days": entry.review_days}
        form = EntryForm(request.POST or None, initial=initial, fixed_unit=entry.owner_unit)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.edit_entry(entry, by=request.user, title=d["title"], body=d["body"], kind=d["kind"],
                                    category=d["category"], region=d["region"], review_days=d["review_days"],
                                    note=d["note"], expected_version=_pk(request.POST.get("version")))
            except AppealValidationError as exc:
                apply_errors(form, exc.errors)
            except AppealError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已保存为第%(v)s版") % {"v": entry.version})
                return redirect("knowledge:entry", pk=entry.pk)
            status = 422
        elif request.method == "POST":
            status = 422
    elif request.method == "POST":
        raise Http404
    return render(request, "knowledge/entry.html", {
        "entry": entry, "form": form, "may_edit": may_edit, "history": selectors.history(entry),
        "uses": selectors.uses_of(entry), "fresh": freshness(entry.review_due, timezone.localdate()),
        "nav_active": "knowledge",
    }, status=status)


@require_POST
@gate("knowledge")
def entry_confirm(request, pk: int):
    entry = selectors.entry(pk)
    if entry is None or not may_maintain_knowledge(request.user, owner_unit=entry.owner_unit):
        raise Http404
    services.confirm_current(entry, by=request.user)
    messages.success(request, _("已确认仍有效，下次复核：%(d)s") % {"d": day(entry.review_due)})
    return redirect("knowledge:entry", pk=entry.pk)


@gate(may_read_knowledge_figures)
def figures(request):
    return render(request, "knowledge/figures.html", {"rows": selectors.figures(request.user),
                                                      "nav_active": "knowledge"})


# --- the call desk ---------------------------------------------------------------------------

def _desk_context(data):
    category = CATEGORIES.get(data.get("category", "")) if data.get("category") else None
    from jishiban.regions.lookup import COUNTIES

    county = COUNTIES.get(data.get("county", "")) if data.get("county") else None
    text = f"{data.get('title', '')} {data.get('content', '')}"[:4000]
    return text, category, county


@require_POST
@gate("intake")
def suggest(request):
    """Entries for the call being typed (posted, so a long text never goes in a URL)."""
    text, category, county = _desk_context(request.POST)
    hits = selectors.search(text, category=category, county=county)
    return render(request, "knowledge/_suggest.html", {"hits": hits, "typed": bool(text.strip())})


@require_POST
@gate("intake")
def answer(request):
    """直接办结 with the chosen entry quoted: the desk's own form and ``take_call``; the answer
    event names the entry and the knowledge base records the use in the same transaction."""
    from jishiban.web.forms.intake import MODE_ANSWER
    from jishiban.web.views.intake import submit_call

    entry = selectors.entry(_pk(request.POST.get("knowledge_entry")) or 0)
    data = request.POST.copy()
    data["mode"] = MODE_ANSWER
    if entry is None or not entry.is_active:
        return submit_call(request, data, refusal=_("所选知识条目不存在或已停用，请重新选择"))
    data["answer_text"] = services.quote(entry, data.get("answer_text", ""))
    return submit_call(request, data, answered_message=_("已引用知识库直接办结：%(n)s"),
                       extra={"knowledge": {"entry": entry.pk, "version": entry.version, "title": entry.title}})
