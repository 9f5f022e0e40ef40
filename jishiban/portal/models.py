"""What the portal keeps beside the appeal: the query code's digest and a signed-in citizen's saved
addresses (the appeal itself, its events and attachments live in ``appeals`` and ``intake``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Ticket(models.Model):
    """The citizen's handle on an appeal handed in through the portal (查询码)."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                                  related_name="portal_ticket")
    code_digest = models.CharField(_("查询码摘要"), max_length=64, unique=True)
    publish = models.BooleanField(_("同意公开答复"), default=True,
                                  help_text=_("群众可要求不公开；保密件一律不公开"))
    consent_at = models.DateTimeField(_("同意隐私告知时间"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众端查询码")
        verbose_name_plural = _("群众端查询码")

    def __str__(self) -> str:
        return str(self.appeal_id)


class SavedAddress(models.Model):
    """A place a signed-in citizen reports from often (home, work), offered on the submit form."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("群众账号"), on_delete=models.CASCADE,
                             related_name="portal_addresses")
    label = models.CharField(_("名称"), max_length=20)
    address = models.CharField(_("地址"), max_length=300)
    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    town = models.ForeignKey("regions.Region", verbose_name=_("乡镇街道"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用地址")
        verbose_name_plural = _("常用地址")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.label}：{self.address}"
