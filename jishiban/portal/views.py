"""The citizens' pages at /portal/ (thin: forms in, services and selectors out).

A citizen without an account reaches an appeal by its query code; the appeals reached so far
are remembered in the session (``GRANTS``), so the code does not travel in URLs. A signed-in
citizen also reaches their own appeals (``visible_to``).
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.core.clients import client_ip
from jishiban.core.pages import apply_errors
from jishiban.intake.pipeline import normalise_phone
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.selectors import search as category_search
from jishiban.web import smart_bridge

from . import challenge, claims, conf, limits, otp, places, selectors, services
from . import held as held_submissions
from .access import citizen_user, is_citizen
from .forms import (
    AddForm,
    AddressForm,
    CheckCodeForm,
    FollowForm,
    RateForm,
    SendCodeForm,
    SignInCodeForm,
    SignInPhoneForm,
    SubmitForm,
    WithdrawForm,
)
from .photos import check_photos

GRANTS = "portal_appeals"
HELD = "portal_held"
CODES = "portal_codes"
MAX_GRANTS = 20
CATEGORY_RESULTS = 12


def _grant(request, appeal: Appeal, code: str = "") -> None:
    grants = [pk for pk in request.session.get(GRANTS, []) if pk != appeal.pk][-(MAX_GRANTS - 1):]
    request.session[GRANTS] = [*grants, appeal.pk]
    if code:
        request.session[CODES] = {**request.session.get(CODES, {}), appeal.number: code}


def _granted(request, number: str) -> Appeal:
    """The appeal ``number`` if this visitor reached it by its code or owns it; 404 otherwise."""
    appeal = Appeal.objects.select_related("category").filter(number=number).first()
    if appeal is None:
        raise Http404
    if appeal.pk in request.session.get(GRANTS, []):
        return appeal
    user = citizen_user(request)
    if user is not None and Appeal.objects.visible_to(user).filter(pk=appeal.pk).exists():
        return appeal
    raise Http404


def _attempt(form, action) -> bool:
    """Run ``action()``; a service's refusal goes onto ``form`` (next to its field) and gives False."""
    try:
        action()
    except AppealValidationError as exc:
        apply_errors(form, exc.errors)
    except AppealError as exc:
        form.add_error(None, exc.message)
    else:
        return True
    return False


def _allowed(form, request, action: str, *, phone: str = "") -> bool:
    """Count the request against the limits of ``action``; a refusal goes onto the form."""
    try:
        limits.hit(f"{action}-ip", client_ip(request) or "")
        if phone:
            limits.hit(f"{action}-phone", normalise_phone(phone))
    except limits.Limited as exc:
        form.add_error(None, exc.message)
        form.limited = True
        return False
    return True


def _challenged(form, request) -> bool:
    """The form's challenge is met; otherwise its reason goes onto the form (nothing is lost)."""
    refusal = challenge.check(request.POST.get("challenge", ""), solution=request.POST.get("pow", ""),
                              answer=request.POST.get("challenge_answer", ""))
    if refusal:
        form.add_error(None, refusal)
        form.challenge_failed = True
    return not refusal


def root(request):
    """The site's root: visitors and citizens to the portal, staff to their workbench home."""
    from jishiban.web.views.home import home

    if not request.user.is_authenticated or is_citizen(request.user):
        return redirect("portal:home")
    return home(request)


def home(request):
    if request.method == "POST":
        form = SubmitForm(request.POST, request.FILES)
        photos, problems = check_photos(request.FILES.getlist("photos"))
        retry = services.already_handed_in(request.POST.get("key", ""))
        kept = held_submissions.held(request.POST.get("key", ""))
        if kept is not None:  # a retry of a submission held for review
            return redirect("portal:held", pk=kept.pk)
        if form.is_valid() and not problems and (retry or _allowed(
                form, request, "submit", phone="" if form.cleaned_data["anonymous"] else form.cleaned_data["phone"])) \
                and (retry or _challenged(form, request)):
            d = form.cleaned_data
            reasons = [] if retry else held_submissions.suspect(d["content"], d["address"], d["name"])
            if reasons:
                kept = held_submissions.hold(key=request.POST.get("key", ""), data=d, reasons=reasons, photos=photos,
                                             user=citizen_user(request))
                request.session[HELD] = [*request.session.get(HELD, [])[-(MAX_GRANTS - 1):], kept.pk]
                return redirect("portal:held", pk=kept.pk)
            handed = []
            if _attempt(form, lambda: handed.append(services.submit_appeal(
                    key=request.POST.get("key", ""), content=d["content"], appeal_type=d["appeal_type"],
                    category=d["category"], address=d["address"], county=d["county"], town=d["town"],
                    name=d["name"], phone=d["phone"], anonymous=d["anonymous"], confidential=d["confidential"],
                    publish=d["publish"], photos=photos, user=citizen_user(request), lat=d["lat"], lon=d["lon"]))):
                _grant(request, handed[0].appeal, handed[0].code)
                return redirect("portal:done", number=handed[0].appeal.number)
        for problem in problems:
            form.add_error("photos", problem)
        if request.FILES and form.errors:
            form.add_error("photos", _("为安全起见，照片需要重新选择"))
        status = 429 if getattr(form, "limited", False) else 422
    else:
        user = citizen_user(request)
        form, status = SubmitForm(initial={"phone": user.phone} if user else None), 200
    user = citizen_user(request)
    return render(request, "portal/home.html", {
        "addresses": list(user.portal_addresses.select_related("county", "town")) if user else [],
        "form": form, "anonymous_types": ",".join(conf.get("ANONYMOUS_TYPES")),
        "fallback_key": secrets.token_urlsafe(24), "challenge": challenge.issue(), "map": places.map_settings(),
        "mine": selectors.own_appeals(user) if user else None}, status=status)


def held(request, pk: int):
    """What a citizen whose submission the content filter held is told: it is kept, why, and
    that an operator will look at it; once handed in, its number."""
    if pk not in request.session.get(HELD, []):
        raise Http404
    kept = held_submissions.HeldSubmission.objects.filter(pk=pk).select_related("appeal").first()
    if kept is None:
        raise Http404
    if kept.appeal is not None:
        _grant(request, kept.appeal)
    return render(request, "portal/held.html", {"held": kept})


def done(request, number: str):
    appeal = _granted(request, number)
    code = request.session.get(CODES, {}).get(number, "")
    return render(request, "portal/done.html", {"appeal": appeal, "code": code})


def follow(request):
    """By query code, or by number + phone with a one-time code sent by SMS."""
    forms = {"code": FollowForm(), "send": SendCodeForm(), "check": CheckCodeForm()}
    step, status, shown = request.POST.get("step", "code"), 200, ""
    if request.method == "POST" and step in forms:
        form = forms[step] = {"code": FollowForm, "send": SendCodeForm, "check": CheckCodeForm}[step](request.POST)
        status = 422
        if form.is_valid() and _allowed(form, request, "follow"):
            if step == "code":
                appeal = services.find_by_code(form.cleaned_data["code"])
                if appeal is not None:
                    _grant(request, appeal)
                    return redirect("portal:appeal", number=appeal.number)
                form.add_error("code", _("没有找到这个查询码对应的诉求，请核对后重新输入（查询码在受理短信中）"))
            elif step == "send" and _allowed(form, request, "otp", phone=form.cleaned_data["phone"]):
                sent = otp.send(request.session, number=form.cleaned_data["number"], phone=form.cleaned_data["phone"])
                shown = sent if conf.get("SHOW_CODES") else ""
                messages.info(request, _("如果编号和手机号与提交时一致，验证码已发送到该手机，10 分钟内有效"))
                status = 200
            elif step == "check":
                try:
                    appeal = otp.check(request.session, form.cleaned_data["otp"])
                except ValueError as exc:
                    form.add_error("otp", str(exc))
                else:
                    _grant(request, appeal)
                    return redirect("portal:appeal", number=appeal.number)
        if getattr(form, "limited", False):
            status = 429
    return render(request, "portal/follow.html", {
        "form": forms["code"], "send_form": forms["send"], "check_form": forms["check"], "shown": shown,
        "sent": otp.SESSION in request.session}, status=status)


def appeal_page(request, number: str, *, add_form=None, rate_form=None, withdraw_form=None, status=200):
    appeal = _granted(request, number)
    return render(request, "portal/appeal.html", {
        "view": selectors.citizen_view(appeal), "add_form": add_form or AddForm(), "rate_form": rate_form or RateForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
    }, status=status)


@require_POST
def add(request, number: str):
    appeal = _granted(request, number)
    form = AddForm(request.POST, request.FILES)
    photos, problems = check_photos(request.FILES.getlist("photos"))
    if form.is_valid() and not problems and _allowed(form, request, "add"):
        if _attempt(form, lambda: services.add_information(appeal, text=form.cleaned_data["text"], photos=photos)):
            messages.success(request, _("补充信息已提交，办理单位会看到"))
            return redirect("portal:appeal", number=number)
    for problem in problems:
        form.add_error("photos", problem)
    return appeal_page(request, number, add_form=form, status=422)


@require_POST
def withdraw(request, number: str):
    appeal = _granted(request, number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        origin = {"ip": client_ip(request) or ""}
        if _attempt(form, lambda: services.withdraw(appeal, reason=form.cleaned_data["reason"], origin=origin)):
            messages.success(request, _("诉求已撤回，办理单位不再办理"))
            return redirect("portal:appeal", number=number)
    return appeal_page(request, number, withdraw_form=form, status=422)


@require_POST
def rate(request, number: str):
    appeal = _granted(request, number)
    form = RateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        origin = {"ip": client_ip(request) or "", "user_agent": request.headers.get("User-Agent", "")[:200]}
        if _attempt(form, lambda: services.rate(appeal, solved=d["solved"], satisfaction=d["satisfaction"],
                                                comment=d["comment"], origin=origin)):
            messages.success(request, _("感谢您的评价"))
            return redirect("portal:appeal", number=number)
    return appeal_page(request, number, rate_form=form, status=422)


@require_GET
def replies(request):
    from .public import page_of

    q = request.GET.get("q", "")
    items, page = page_of(q, request.GET.get("page"))
    return render(request, "portal/replies.html", {"items": items, "page": page, "q": q.strip()[:40]})


def privacy(request):
    from .privacy import notice

    return render(request, "portal/privacy.html", {"notice": notice()})


# --- helpers of the submit form (JSON for portal.js) ----------------------------------------------

@require_GET
def categories(request):
    """Categories matching plain words, searched in names, keywords and parent names."""
    rows = category_search((request.GET.get("q") or "")[:40], CATEGORY_RESULTS)
    return JsonResponse({"results": [{"code": c.code, "name": c.name, "path": " / ".join(c.path_names)}
                                     for c in rows]})


@require_GET
def suggest(request):
    """Smart help's category suggestions for the description typed so far."""
    found = smart_bridge.category_suggestions((request.GET.get("text") or "")[:2000])
    return JsonResponse({"results": [{"code": s["code"], "name": s["name"], "path": s["path"]}
                                     for s in found.items], "reason": found.reason})


@require_GET
def locate(request):
    """Smart help's county and town for an address; the citizen confirms."""
    found = smart_bridge.locate((request.GET.get("address") or "")[:300])
    if not found:
        return JsonResponse({"county": None, "town": None})
    county, town = found["county"], found["town"]
    return JsonResponse({"county": {"code": county.code, "name": county.name},
                         "town": {"code": town.code, "name": town.name} if town else None,
                         "towns": _town_list(county.code)})


@require_GET
def towns(request):
    return JsonResponse({"towns": _town_list((request.GET.get("county") or "")[:12])})


@require_GET
def point(request):
    """The place at a tapped point: its grid, community, town and county, in plain words."""
    from jishiban.core.params import ParameterError

    from . import places

    try:
        lat, lon = places.coordinates(request.GET.get("lat"), request.GET.get("lon"))
    except ParameterError as exc:
        return JsonResponse({"error": _("地图位置无效：%(why)s，请在济宁市范围内点选") % {"why": exc.reason}}, status=400)
    if lat is None:
        return JsonResponse({"error": _("请在地图上点选问题发生的位置")}, status=400)
    found = places.place_at(lat, lon, county_hint=(request.GET.get("county") or "")[:12])
    county, town = found.county, found.town
    return JsonResponse({
        "lat": str(found.lat), "lon": str(found.lon), "name": found.name,
        "county": {"code": county.code, "name": county.name} if county else None,
        "town": {"code": town.code, "name": town.name} if town else None,
        "grid": {"code": found.grid.code, "name": found.grid.name} if found.grid else None,
        "towns": _town_list(county.code) if county else []})


@require_GET
def grid_shapes(request):
    """A county's grid boundaries for the submit form's map."""
    from . import places

    return JsonResponse(places.grid_shapes((request.GET.get("county") or "")[:12]))


def _town_list(county: str) -> list[dict]:
    return [{"code": code, "name": name} for code, name in
            Region.objects.filter(level=RegionLevel.TOWN, parent__code=county).values_list("code", "name")]


# --- signing in with a phone number, "my appeals", saved addresses --------------------------------

def sign_in(request):
    """A phone number and the one-time code sent to it sign a citizen in (an account is made on
    the first sign-in). Staff sign in on the workbench's page."""
    if citizen_user(request) is not None:
        return redirect("portal:mine")
    phone_form, code_form = SignInPhoneForm(), SignInCodeForm()
    step, status, shown = request.POST.get("step", ""), 200, ""
    if request.method == "POST" and step == "send":
        phone_form, status = SignInPhoneForm(request.POST), 422
        if phone_form.is_valid() and _allowed(phone_form, request, "otp", phone=phone_form.cleaned_data["phone"]):
            sent = otp.send_sign_in(request.session, phone=phone_form.cleaned_data["phone"])
            if sent:
                shown = sent if conf.get("SHOW_CODES") else ""
                messages.info(request, _("验证码已发送到您的手机，10 分钟内有效"))
                status = 200
            else:
                phone_form.add_error("phone", _("请填写 11 位手机号"))
        if getattr(phone_form, "limited", False):
            status = 429
    elif request.method == "POST" and step == "check":
        code_form, status = SignInCodeForm(request.POST), 422
        if code_form.is_valid():
            try:
                phone = otp.check_sign_in(request.session, code_form.cleaned_data["otp"])
            except ValueError as exc:
                code_form.add_error("otp", str(exc))
            else:
                grants, codes_ = request.session.get(GRANTS, []), request.session.get(CODES, {})
                login(request, services.citizen_account(phone), backend="django.contrib.auth.backends.ModelBackend")
                request.session[GRANTS], request.session[CODES] = grants, codes_  # what they reached stays reached
                return redirect("portal:claim" if claims.candidates(request.user).exists() else "portal:mine")
    return render(request, "portal/sign_in.html", {
        "phone_form": phone_form, "code_form": code_form, "shown": shown,
        "sent": otp.SIGN_IN in request.session}, status=status)


def mine(request, *, address_form=None, status=200):
    """我的: a signed-in citizen's own appeals and saved addresses."""
    from .models import SavedAddress

    user = citizen_user(request)
    if user is None:
        return redirect("portal:sign_in")
    return render(request, "portal/mine.html", {
        "mine": selectors.own_appeals(user), "to_claim": claims.candidates(user).count(), "addresses": SavedAddress.objects.filter(user=user).select_related("county"),
        "address_form": address_form or AddressForm()}, status=status)


@require_POST
def address_add(request):
    user = citizen_user(request)
    if user is None:
        return redirect("portal:sign_in")
    form = AddressForm(request.POST)
    if form.is_valid() and _attempt(form, lambda: services.save_address(
            user, label=form.cleaned_data["label"], address=form.cleaned_data["address"],
            county=form.cleaned_data["county"] or None)):
        messages.success(request, _("常用地址已保存，提交诉求时可以直接选用"))
        return redirect("portal:mine")
    return mine(request, address_form=form, status=422)


@require_POST
def address_delete(request, pk: int):
    user = citizen_user(request)
    if user is None:
        return redirect("portal:sign_in")
    if services.delete_address(user, pk):
        messages.success(request, _("常用地址已删除"))
    return redirect("portal:mine")


def claim(request):
    """这些是您提交的吗？ The appeals handed in from this phone before the account existed (the rule
    of ``claims.py``); only those the citizen ticks join the account."""
    user = citizen_user(request)
    if user is None:
        return redirect("portal:sign_in")
    if request.method == "POST":
        def ids(name):
            return [int(v) for v in request.POST.getlist(name) if v.isdigit()]

        attached = claims.decide(user, mine=ids("mine"), offered=ids("offered"))
        if attached:
            messages.success(request, _("已将 %(n)d 件诉求加入“我的诉求”") % {"n": len(attached)})
        else:
            messages.info(request, _("已记录：这些诉求不是您提交的，不会加入您的账号"))
        return redirect("portal:mine")
    offered = list(claims.candidates(user)[:50])
    if not offered:
        return redirect("portal:mine")
    return render(request, "portal/claim.html", {"offered": offered, "days": conf.get("CLAIM_DAYS")})
