"""An index on (address, received_at) for the repeat rule's address branch.

Without it, counting a row's earlier appeals by phone *or* address could use no index for the
``OR`` and walked every appeal of the category's siblings in the window: minutes for one day's
appeals at 2,000,000 stored. On PostgreSQL the index is built ``CONCURRENTLY`` so that intake
keeps writing while a large table is indexed (hence a non-atomic migration); elsewhere plainly.
"""

from django.db import migrations, models

from ._concurrently import add_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("appeals", "0006_returns12_fill_returning_unit")]

    operations = [
        add_index("Appeal", models.Index(fields=["address", "received_at"], name="appeal_address_received")),
    ]
