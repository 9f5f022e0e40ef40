"""Callbacks (回访), public replies, promises to follow up (分步解决) and the settings they use."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DissatisfiedScheme(models.TextChoices):
    """What the centre's scheme does with a callback answered 不满意 or 未解决."""

    SUPERVISE = "supervise", _("先督办，再由督办员决定重办或办结")
    REOPEN = "reopen", _("立即重办（退回原承办单位，重新计算时限）")


class Preferences(models.Model):
    """Supervision settings kept in the database (one row, edited in the admin)."""

    callback_max_tries = models.PositiveSmallIntegerField(
        _("回访最多尝试次数"), default=3, help_text=_("连续未接通达到此次数后以“无法回访”办结")
    )
    callback_link_days = models.PositiveSmallIntegerField(_("评价链接有效期（天）"), default=14)
    public_base_url = models.CharField(
        _("对外访问地址"), max_length=200, blank=True, help_text=_("短信评价链接的前缀，如 https://12345.jining.gov.cn")
    )
    dissatisfied_scheme = models.CharField(
        _("回访不满意的处理方案"), max_length=10, choices=DissatisfiedScheme.choices,
        default=DissatisfiedScheme.SUPERVISE,
        help_text=_("先督办：按督办触发规则自动督办，由督办员决定重办、督办或说明后办结；"
                    "立即重办：回访一旦不满意或未解决，即退回原承办单位重办，时限自重办时起重新计算"),
    )
    delivery_max_attempts = models.PositiveSmallIntegerField(_("通知最多发送次数"), default=6)
    delivery_backoff_seconds = models.PositiveIntegerField(_("重试间隔基数（秒）"), default=60)
    delivery_lease_seconds = models.PositiveIntegerField(
        _("发送占用时限（秒）"), default=300, help_text=_("超过此时间仍未记录结果的发送视为中断，重新发送（同一幂等键）")
    )

    class Meta:
        verbose_name = _("督办参数")
        verbose_name_plural = _("督办参数")

    def __str__(self) -> str:
        return str(_("督办参数"))

    @classmethod
    def current(cls) -> "Preferences":
        prefs = cls.objects.filter(pk=1).first()
        return prefs if prefs is not None else cls(pk=1)


class CallbackMode(models.TextChoices):
    PHONE = "phone", _("中心电话回访")
    LINK = "link", _("群众在线评价")


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")
    UNREACHABLE = "unreachable", _("无法回访")
    CANCELLED = "cancelled", _("已取消")


class Decision(models.TextChoices):
    NONE = "", _("待定")
    REOPEN = "reopen", _("重办")
    ORDER = "order", _("督办")
    CLOSE = "close", _("说明后办结")


class CallbackTask(models.Model):
    """The callback owed after a reply; one per reply round (``appeal.reopen_count``)."""

    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                               related_name="callback_tasks")
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    mode = models.CharField(_("回访方式"), max_length=8, choices=CallbackMode.choices)
    status = models.CharField(_("状态"), max_length=12, choices=CallbackStatus.choices,
                              default=CallbackStatus.PENDING, db_index=True)
    link_nonce = models.CharField(_("链接随机码"), max_length=32)
    link_sent_at = models.DateTimeField(_("链接发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回访人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    origin = models.CharField(_("来源"), max_length=12, blank=True, help_text=_("phone / link / workflow"))
    origin_detail = models.JSONField(_("来源详情"), default=dict, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, blank=True)
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    comment = models.TextField(_("群众意见"), blank=True)
    decision = models.CharField(_("处理决定"), max_length=8, choices=Decision.choices, default="", blank=True)
    decision_reason = models.TextField(_("决定说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "round"], name="callback_one_task_per_round")]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.round}"

    @property
    def needs_decision(self) -> bool:
        return (self.status == CallbackStatus.DONE and not self.decision
                and (self.satisfaction == "dissatisfied" or self.solved is False))


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("已接通")
    NO_ANSWER = "no_answer", _("无人接听")
    BUSY = "busy", _("占线")
    POWER_OFF = "power_off", _("关机/停机")
    WRONG_NUMBER = "wrong_number", _("号码错误")
    REFUSED = "refused", _("拒绝回访")
    LINK_SENT = "link_sent", _("已发送评价链接")


FAILED_OUTCOMES = frozenset({Outcome.NO_ANSWER, Outcome.BUSY, Outcome.POWER_OFF, Outcome.WRONG_NUMBER,
                             Outcome.REFUSED})


class CallbackAttempt(models.Model):
    task = models.ForeignKey(CallbackTask, verbose_name=_("回访任务"), on_delete=models.CASCADE,
                             related_name="attempts")
    at = models.DateTimeField(_("时间"))
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("回访尝试")
        verbose_name_plural = _("回访尝试")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.outcome}"


class PublicReplyStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已公开答复")
    WITHHELD = "withheld", _("不予公开")


class PublicReply(models.Model):
    """The masked reply published on a public channel (留言板、网络问政…)."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                                  related_name="public_reply")
    channel = models.ForeignKey("channels.Channel", verbose_name=_("渠道"), on_delete=models.PROTECT,
                                related_name="+")
    text = models.TextField(_("公开答复内容"))
    status = models.CharField(_("状态"), max_length=10, choices=PublicReplyStatus.choices,
                              default=PublicReplyStatus.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公开答复")
        verbose_name_plural = _("公开答复")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.status}"


class FollowUpStatus(models.TextChoices):
    WAITING = "waiting", _("未到期")
    DUE = "due", _("待兑现")
    FULFILLED = "fulfilled", _("已兑现待确认")
    CONFIRMED = "confirmed", _("已确认兑现")
    CANCELLED = "cancelled", _("已取消")


OPEN_FOLLOW_UP = (FollowUpStatus.WAITING, FollowUpStatus.DUE)


class FollowUp(models.Model):
    """A 分步解决 promise: due on ``due_date``, back on the unit's list until met and confirmed."""

    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                               related_name="follow_ups")
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("承办单位"), on_delete=models.PROTECT,
                             related_name="+")
    promise = models.CharField(_("承诺事项"), max_length=300)
    due_date = models.DateField(_("跟进日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.WAITING, db_index=True)
    fulfilment = models.TextField(_("兑现情况"), blank=True)
    fulfilled_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("兑现填报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    review_note = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("分步解决跟进")
        verbose_name_plural = _("分步解决跟进")
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "round"], name="follow_up_one_per_round")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.due_date}"
