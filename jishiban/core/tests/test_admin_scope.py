"""Admin pages of an appeal's records list only the rows of appeals the user may see, like every
other page — also where no role group opens them today (attachments, callback tasks, disputes,
notifications), so granting the permission later cannot show more."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from jishiban.intake.models import Attachment
from jishiban.supervision.models import CallbackTask, Dispute, Notification
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db

MODELS = (Attachment, CallbackTask, Dispute, Notification)


@pytest.fixture
def rows(personas):
    """One row of each model on an appeal of 任城区 and one on an appeal of 兖州区."""
    now = timezone.now()
    made = {}
    for county in ("370811", "370812"):
        appeal = make_appeal(county=county, content=f"{county} 的路灯不亮了")
        made[county] = [
            Attachment.objects.create(appeal=appeal, file="a.png", original_name=f"{county}.png",
                                      content_type="image/png", size=1, sha256="0" * 64),
            CallbackTask.objects.create(appeal=appeal, mode="phone", link_nonce=county, created_at=now),
            Dispute.objects.create(appeal=appeal, kind="return", created_at=now),
            Notification.objects.create(appeal=appeal, user=personas.supervisor, kind="order",
                                        text=f"{county} 的通知", created_at=now),
        ]
    return made


def _admin_rows(rf, user, model):
    request = rf.get("/admin/")
    request.user = user
    return set(admin.site._registry[model].get_queryset(request).values_list("pk", flat=True))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_county_staff_see_only_their_countys_records(rf, personas, rows, model):
    mine = {r.pk for r in rows["370811"] if isinstance(r, model)}
    theirs = {r.pk for r in rows["370812"] if isinstance(r, model)}
    shown = _admin_rows(rf, personas.county_rencheng, model)
    assert mine <= shown and not (theirs & shown)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_administrator_sees_every_record_and_a_citizen_none_of_others(rf, personas, rows, model):
    every = {r.pk for county in rows.values() for r in county if isinstance(r, model)}
    assert _admin_rows(rf, personas.admin, model) == every
    assert not _admin_rows(rf, personas.citizen, model)


def test_granted_view_permission_opens_the_page_with_the_same_scope(client, personas, rows):
    user = personas.county_rencheng
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_attachment"))
    client.force_login(user)
    page = client.get(reverse("admin:intake_attachment_changelist"))
    assert page.status_code == 200
    assert "370811.png" in page.text and "370812.png" not in page.text
