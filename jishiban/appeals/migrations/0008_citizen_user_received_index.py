"""The repeat rule's account branch (the same portal account, for an appeal without a phone)
gets an index on (citizen_user, received_at) like the phone and address branches.

The partial index on ``citizen_user`` it replaces (``WHERE citizen_user_id IS NOT NULL``) could
not serve one branch of the per-row count's ``OR``: SQLite takes a partial index only when the
whole condition implies the index's ``WHERE``, and an ``OR`` does not, so the count fell back to
walking the category's appeals in the window. Built and dropped concurrently on PostgreSQL.
"""

from django.db import migrations, models
from django.db.models import Q

from ._concurrently import add_index, remove_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("appeals", "0007_address_received_index")]

    operations = [
        add_index("Appeal", models.Index(fields=["citizen_user", "received_at"], name="appeal_user_received")),
        remove_index("Appeal", models.Index(fields=["citizen_user"], name="appeal_citizen_user",
                                            condition=Q(citizen_user__isnull=False))),
    ]
