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


class ClaimDecision(models.Model):
    """A signed-in citizen's answer to "这些是您提交的吗？" about an appeal handed in earlier without an
    account from the same phone: attached to the account, or not theirs (then never asked again)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("群众账号"), on_delete=models.CASCADE,
                             related_name="portal_claims")
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE, related_name="+")
    attached = models.BooleanField(_("确认是本人提交"))
    decided_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("既往诉求认领")
        verbose_name_plural = _("既往诉求认领")
        constraints = [models.UniqueConstraint(fields=["user", "appeal"], name="portal_claim_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.appeal_id}"


class SpamPhrase(models.Model):
    """A phrase known from spam (代开发票, 刷单兼职 …), kept by the administrators; a submission
    containing one is held for an operator's review, never dropped."""

    phrase = models.CharField(_("用语"), max_length=60, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("垃圾信息用语")
        verbose_name_plural = _("垃圾信息用语")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class HeldStatus(models.TextChoices):
    PENDING = "pending", _("待核对")
    RELEASED = "released", _("已受理")
    REJECTED = "rejected", _("不予受理")


class HeldSubmission(models.Model):
    """A portal submission the content filter found suspect (``spam.py``), kept whole until an
    operator hands it in (it then becomes an appeal with its own key) or sets it aside (kept,
    with the reason)."""

    key = models.CharField(_("提交标识"), max_length=64, unique=True)
    form = models.JSONField(_("提交内容"))
    reasons = models.JSONField(_("可疑原因"), default=list)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("群众账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=HeldStatus.choices, default=HeldStatus.PENDING,
                              db_index=True)
    received_at = models.DateTimeField(_("提交时间"))
    decided_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核对人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("核对说明"), max_length=500, blank=True)
    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("受理后的诉求件"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("待核对的提交")
        verbose_name_plural = _("待核对的提交")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_status_display()}"


class HeldPhoto(models.Model):
    held = models.ForeignKey(HeldSubmission, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to="portal/held/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)

    class Meta:
        verbose_name = _("待核对提交的照片")
        verbose_name_plural = _("待核对提交的照片")

    def __str__(self) -> str:
        return self.name
