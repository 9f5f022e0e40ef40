"""The channels every deployment has, with stable codes other systems rely on."""

from django.db import migrations

CHANNELS = [
    # code, name, kind, public_reply, wants_results
    ("12345-phone", "12345热线电话", "phone", False, False),
    ("12345-web", "12345网站", "web", True, True),
    ("12345-wechat", "12345微信", "wechat", False, True),
    ("jishiban-app", "济时办APP", "app", False, True),
    ("enterprise", "企业诉求接诉即办", "enterprise", False, True),
    ("minyi-5", "民意“5”来听", "board", True, True),
    ("people-board", "人民网领导留言板", "board", True, True),
    ("gov-supervision", "国务院“互联网+督查”", "government", False, True),
    ("xianghu", "乡呼县应", "app", False, True),
    ("wenzheng", "网络问政", "board", True, True),
    ("public-opinion", "网络舆情", "opinion", False, False),
    ("grid", "网格员上报", "grid", False, False),
    ("open311", "Open311 客户端", "api", True, False),  # replies reviewed, as on other public channels (0004)
]


def seed(apps, schema_editor):
    Channel = apps.get_model("channels", "Channel")
    for sort, (code, name, kind, public, wants) in enumerate(CHANNELS):
        Channel.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "public_reply": public, "wants_results": wants, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
