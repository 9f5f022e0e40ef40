"""The registry of intake channels (一口收集): each source of appeals is a row, not code."""

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    PHONE = "phone", _("热线电话")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信")
    APP = "app", _("移动应用")
    ENTERPRISE = "enterprise", _("企业诉求")
    BOARD = "board", _("留言板/问政")
    GOVERNMENT = "government", _("上级转办")
    OPINION = "opinion", _("舆情监测")
    GRID = "grid", _("网格上报")
    API = "api", _("系统接口")
    OTHER = "other", _("其他")


def validate_duration(value: str) -> None:
    from jishiban.sla.clock import parse_duration

    if value:
        try:
            parse_duration(value)
        except ValueError as exc:
            raise ValidationError(str(exc))


class Channel(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=ChannelKind.choices)
    public_reply = models.BooleanField(_("答复公开"), default=False, help_text=_("答复内容对外公开（脱敏后）"))
    reply_deadline = models.CharField(
        _("答复时限覆盖"), max_length=10, blank=True, validators=[validate_duration],
        help_text=_("如 3d、4h；留空则按分类时限"),
    )
    wants_results = models.BooleanField(_("回推办理结果"), default=False)
    push_unmasked = models.BooleanField(
        _("回推答复不脱敏"), default=False,
        help_text=_("仅限可查看诉求人身份的政务系统；否则回推的答复中电话、身份证号、银行卡号、车牌号均脱敏，"
                    "答复公开的渠道还隐去诉求人姓名"),
    )
    webhook_url = models.URLField(_("结果回推地址"), blank=True)
    webhook_secret = models.CharField(
        _("结果回推签名密钥"), max_length=128, blank=True,
        validators=[MinLengthValidator(32, message=_("签名密钥至少 %(limit_value)d 个字符"))],
        help_text=_("填写后每次回推带 X-Jishiban-Timestamp 与 X-Jishiban-Signature（HMAC-SHA256），"
                    "对方用同一密钥校验；至少 32 个字符，可用 secrets.token_urlsafe(32) 生成"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("受理渠道")
        verbose_name_plural = _("受理渠道")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name
