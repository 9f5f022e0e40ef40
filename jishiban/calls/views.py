"""The call desk's seat panel: sign in on a seat, and the incoming call popped up (polled by
htmx every few seconds; the form is filled by ``static/calls/pop.js``)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jishiban.accounts.policy import may_sit_at_seat, sees_identity
from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.appeals.privacy import mask_phone
from jishiban.core.views import gate

from . import selectors, services

seat_gate = gate(may_sit_at_seat)
# The seat is also kept in the session, so the other pages know without a query whether to
# watch for calls (the database row stays the truth the CTI's calls are matched against).
SESSION_SEAT = "calls_seat"


@require_GET
@seat_gate
def seat(request):
    return render(request, "calls/_seat.html", {"seat": selectors.seat_of(request.user)})


@require_POST
@seat_gate
def seat_sign(request):
    error = ""
    if request.POST.get("out"):
        services.sign_out(request.user)
        request.session.pop(SESSION_SEAT, None)
    else:
        try:
            request.session[SESSION_SEAT] = services.sign_in(request.user, request.POST.get("seat", "")).seat
        except AppealValidationError as exc:
            error = "；".join(m for ms in exc.errors.values() for m in ms)
        except AppealError as exc:
            error = exc.message
    return render(request, "calls/_seat.html", {"seat": selectors.seat_of(request.user), "error": error},
                  status=422 if error else 200)


@require_GET
@seat_gate
def poll(request):
    """The call waiting at the user's seat, with the caller's history (``by_identity``: only
    what the user may see), the number masked unless the role sees identities."""
    from jishiban.web.selectors.desk import caller_history

    call = selectors.waiting_call(request.user)
    if request.GET.get("elsewhere"):
        # On another page: a waiting call opens the call desk, where it pops up.
        response = HttpResponse(status=204)
        if call is not None:
            response["HX-Redirect"] = reverse("web:intake")
        return response
    context = {"call": call}
    if call is not None:
        identity = sees_identity(request.user)
        context["shown_caller"] = call.caller if identity else mask_phone(call.caller)
        context["fill_caller"] = call.caller if identity else ""  # the full number only for who may see it
        context["history"] = caller_history(request.user, call.caller, now=timezone.now())
        context["field"] = services.POSTED_FIELD
    return render(request, "calls/_pop.html", context)


@require_POST
@seat_gate
def dismiss(request, pk: int):
    call = selectors.call_at_my_seat(request.user, pk)
    if call is None:
        raise Http404
    services.dismiss(call, by=request.user)
    return render(request, "calls/_pop.html", {"call": None})
