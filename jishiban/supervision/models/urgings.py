"""催办: a supervisor's reminder to the unit holding an appeal to speed it up (no order, no
deadline of its own; the unit hears of it and it stays on the appeal's record)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urging(models.Model):
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                               related_name="urgings")
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("催办单位"), on_delete=models.PROTECT,
                             related_name="+")
    text = models.CharField(_("催办内容"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("催办人"), null=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.text[:30]
