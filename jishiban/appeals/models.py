"""The appeal (诉求件) and its event log.

Every state change goes through ``services.py``, which appends an ``AppealEvent`` in the
same transaction; milestone columns on ``Appeal`` are denormalised copies for fast lists,
the events are the record (analytics recompute on-time rates from them).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .access import AppealQuerySet
from .workflow import State


class Status(models.TextChoices):
    RECEIVED = State.RECEIVED, _("已受理")
    ANSWERED = State.ANSWERED, _("直接办结")
    DISPATCHED = State.DISPATCHED, _("已派单")
    ACCEPTED = State.ACCEPTED, _("已签收")
    RETURNED = State.RETURNED, _("已退单")
    EXTENSION_REQUESTED = State.EXTENSION_REQUESTED, _("延期申请中")
    REPLIED = State.REPLIED, _("已答复")
    CALLBACK_DONE = State.CALLBACK_DONE, _("已回访")
    REOPENED = State.REOPENED, _("重办")
    CLOSED = State.CLOSED, _("已办结")
    MERGED = State.MERGED, _("已并单")
    INVALID = State.INVALID, _("无效")
    WITHDRAWN = State.WITHDRAWN, _("已撤回")
    RETURN_REQUESTED = State.RETURN_REQUESTED, _("退单待审")


_STATUS_LABELS: dict[str, dict[str, str]] = {}


def status_label(status: str) -> str:
    """``status``'s label in the active language, from a table made once per language (Django's
    ``get_FOO_display`` rebuilds the choices dict and translates on every call, which lists of
    hundreds of rows feel)."""
    language = get_language() or ""
    labels = _STATUS_LABELS.get(language)
    if labels is None:
        labels = _STATUS_LABELS[language] = {value: str(label) for value, label in Status.choices}
    return labels.get(status, status)


class AppealType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")
    OTHER = "other", _("其他")


class ResultType(models.TextChoices):
    SOLVED = "solved", _("已解决")
    STEPWISE = "stepwise", _("分步解决")
    EXPLAINED = "explained", _("解释说明")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Card(models.TextChoices):
    NONE = "", _("正常")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Appeal(models.Model):
    number = models.CharField(_("编号"), max_length=24)
    channel = models.ForeignKey("channels.Channel", verbose_name=_("渠道"), on_delete=models.PROTECT, db_index=False)
    external_id = models.CharField(_("渠道编号"), max_length=100, null=True, blank=True)
    # Derived from the payload when a channel gives no external id, so a repeated post is recognised.
    content_key = models.CharField(_("内容指纹"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)

    citizen_name = models.CharField(_("诉求人"), max_length=60, blank=True)
    citizen_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    citizen_id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    confidential = models.BooleanField(_("保密"), default=False, help_text=_("举报件及群众要求保密的诉求"))
    citizen_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("群众账号"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="own_appeals", db_index=False,
    )

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("县市区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    town = models.ForeignKey(
        "regions.Region", verbose_name=_("乡镇街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )

    category = models.ForeignKey(
        "taxonomy.Category", verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT, db_index=False,
    )
    appeal_type = models.CharField(_("诉求类型"), max_length=12, choices=AppealType.choices, default=AppealType.CONSULT)
    urgent = models.BooleanField(_("紧急"), default=False)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    extras = models.JSONField(_("渠道附加信息"), default=dict, blank=True)

    lead_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("主办单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="lead_appeals", db_index=False,
    )
    co_units = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("协办单位"), blank=True, related_name="co_appeals"
    )

    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.RECEIVED)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    sign_deadline = models.DateTimeField(_("签收时限"), null=True, blank=True)
    reply_deadline = models.DateTimeField(_("答复时限"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("黄牌时间"), null=True, blank=True)
    return_deadline = models.DateTimeField(_("退单截止"), null=True, blank=True)
    card = models.CharField(_("预警"), max_length=8, choices=Card.choices, default=Card.NONE, blank=True)

    result_type = models.CharField(_("办理结果"), max_length=12, choices=ResultType.choices, blank=True)
    result_text = models.TextField(_("答复内容"), blank=True)
    promise = models.CharField(_("承诺事项"), max_length=300, blank=True)
    follow_up_date = models.DateField(_("跟进日期"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)

    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    parent = models.ForeignKey(
        "self", verbose_name=_("并入"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_children",
        db_index=False,
    )

    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求件")
        verbose_name_plural = _("诉求件")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="appeal_unique_number"),
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=Q(external_id__isnull=False),
                name="appeal_unique_channel_external_id",
            ),
        ]
        # Every index is paid for by every intake and import. Lookups by a column that leads a
        # composite index use that index; columns that are mostly empty (a town, a grid, a parent,
        # a deadline before dispatch) get partial indexes that empty rows do not enter.
        indexes = [
            models.Index(fields=["card"], name="appeal_card"),
            models.Index(fields=["reply_deadline"], name="appeal_deadline",
                         condition=Q(reply_deadline__isnull=False)),
            models.Index(fields=["channel", "content_key"], name="appeal_content_key", condition=~Q(content_key="")),
            models.Index(fields=["town"], name="appeal_town", condition=Q(town__isnull=False)),
            models.Index(fields=["grid"], name="appeal_grid", condition=Q(grid__isnull=False)),
            models.Index(fields=["parent"], name="appeal_parent", condition=Q(parent__isnull=False)),
            models.Index(fields=["created_by"], name="appeal_created_by", condition=Q(created_by__isnull=False)),
            models.Index(fields=["status", "reply_deadline"], name="appeal_status_deadline"),
            models.Index(fields=["lead_unit", "status"], name="appeal_unit_status"),
            models.Index(fields=["county", "status"], name="appeal_county_status"),
            models.Index(fields=["channel", "received_at"], name="appeal_channel_received"),
            models.Index(fields=["category", "received_at"], name="appeal_category_received"),
            # caller lookup and repeat detection by phone
            models.Index(fields=["citizen_phone", "received_at"], name="appeal_phone_received"),
            # repeat detection by address (the repeat rule's other branch)
            models.Index(fields=["address", "received_at"], name="appeal_address_received"),
            # the citizen's own appeals, and repeat detection by account (an appeal without a phone)
            models.Index(fields=["citizen_user", "received_at"], name="appeal_user_received"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_status_display(self) -> str:
        return status_label(self.status)


class AppealEvent(models.Model):
    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求件"), on_delete=models.CASCADE, related_name="events",
                               db_index=False)
    action = models.CharField(_("动作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    actor_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("操作单位"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False,
    )
    reason = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["appeal", "at"], name="event_appeal_at"),
            models.Index(fields=["action"], name="event_action"),
            models.Index(fields=["actor"], name="event_actor", condition=Q(actor__isnull=False)),
            models.Index(fields=["actor_unit"], name="event_actor_unit", condition=Q(actor_unit__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action} {self.from_status}→{self.to_status}"


class NumberSequence(models.Model):
    """Daily counters behind readable numbers such as JN2026112700001."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}: {self.last}"


class PersonalDataAccess(models.Model):
    """Who saw a citizen's full phone or ID number, when (查看个人信息留痕)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+")
    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求件"), on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("字段"), max_length=30)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.field} {self.appeal_id}"
