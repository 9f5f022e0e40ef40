from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def expire_existing(apps, schema_editor):
    # Tokens made before expiry existed keep working for the default lifetime from now.
    days = getattr(settings, "JISHIBAN_API_TOKEN_DAYS", 90)
    apps.get_model("api", "ApiToken").objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=days))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(choices=[("intake", "仅受理（提交诉求，读取代码表）"), ("read", "只读"), ("act", "读取与办理")],
                                   default="act", max_length=10, verbose_name="权限范围"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="到期时间"),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="到期时间"),
        ),
    ]
