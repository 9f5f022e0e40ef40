from django.db import migrations, models


def drop_copied_counters(apps, schema_editor):
    """The summary's every-counter rows (dim "all") copied the analytics tables' coarse sums;
    the cockpit reads those tables now."""
    apps.get_model("cockpit", "DayFigure").objects.filter(dim="all").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cockpit', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(drop_copied_counters, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='dayfigure',
            name='dim',
            field=models.CharField(choices=[('category', '分类（二级）'), ('town', '乡镇街道'), ('channel', '渠道')], max_length=8, verbose_name='维度'),
        ),
    ]
