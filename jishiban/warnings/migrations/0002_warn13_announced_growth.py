from django.db import migrations, models
from django.db.models import F


def announced_as_observed(apps, schema_editor):
    # The open warnings were announced when raised; their growth since is not told again.
    apps.get_model("warnings", "EarlyWarning").objects.update(announced=F("observed"))


class Migration(migrations.Migration):

    dependencies = [
        ("warnings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="earlywarning",
            name="announced",
            field=models.FloatField(default=0, verbose_name="已通知观测数"),
        ),
        migrations.RunPython(announced_as_observed, migrations.RunPython.noop),
    ]
