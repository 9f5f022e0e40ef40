"""Telephone seats and the calls the telephony system (CTI) announces.

A seat (座席) is the number the CTI knows a telephone by; an operator signs in on one from the
call desk (``SeatSignIn``: one seat per user, one user per seat). A ``Call`` is kept once per
CTI call id (the CTI retries), popped up to whoever sits at its seat, and linked to the appeal
taken from it, with its recording.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SeatSignIn(models.Model):
    seat = models.CharField(_("座席号"), max_length=20, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("话务员"), on_delete=models.CASCADE,
                                related_name="seat_sign_in")
    since = models.DateTimeField(_("签入时间"))

    class Meta:
        verbose_name = _("座席签入")
        verbose_name_plural = _("座席签入")

    def __str__(self) -> str:
        return self.seat


class Call(models.Model):
    call_id = models.CharField(_("呼叫编号"), max_length=64, unique=True)
    caller = models.CharField(_("来电号码"), max_length=30)
    seat = models.CharField(_("座席号"), max_length=20, db_index=True)
    recording_url = models.URLField(_("录音地址"), max_length=500, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接听话务员"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("来电时间"), db_index=True)
    linked_at = models.DateTimeField(_("关联时间"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("忽略时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("来电")
        verbose_name_plural = _("来电")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.call_id
