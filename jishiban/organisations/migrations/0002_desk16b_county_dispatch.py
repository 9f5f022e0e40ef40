from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="county_dispatch",
            field=models.BooleanField(
                default=False,
                help_text="市级单位：县市区社会治理服务中心也可向其派单（本县市区的单位总是可派）",
                verbose_name="县级可派",
            ),
        ),
    ]
