"""Seed official holidays and make-up working days from the ``chinesecalendar`` package.

Runs once, so a plain ``migrate`` on an empty database can count working days for every year
the installed package covers. Later notices come in through ``calendar import`` (holiday-cn
JSON) or the admin; upgrading the package does not re-run this migration.
"""

from importlib.metadata import PackageNotFoundError, version

from django.db import migrations
from django.utils import timezone

SOURCE_PREFIX = "chinesecalendar"


def _source() -> str:
    try:
        return f"{SOURCE_PREFIX} {version('chinesecalendar')}"
    except PackageNotFoundError:
        return SOURCE_PREFIX


def seed(apps, schema_editor):
    # Imported here, not at module level, so loading the migration graph never needs it.
    from chinese_calendar import constants

    Holiday = apps.get_model("sla", "Holiday")
    CalendarYear = apps.get_model("sla", "CalendarYear")
    chinese_names = {member.value: member.chinese for member in constants.Holiday}
    source = _source()

    rows = {}
    for day, english in constants.holidays.items():
        rows[day] = Holiday(
            date=day, is_off_day=True, name=chinese_names.get(english, english), source=source
        )
    for day, english in constants.workdays.items():
        rows[day] = Holiday(
            date=day, is_off_day=False, name=chinese_names.get(english, english), source=source
        )
    known = set(Holiday.objects.filter(date__in=list(rows)).values_list("date", flat=True))
    Holiday.objects.bulk_create([row for day, row in sorted(rows.items()) if day not in known])

    # The package covers every year from its first to its last dated entry.
    years = {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    now = timezone.now()
    have = set(CalendarYear.objects.values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [
            CalendarYear(year=year, source=source, imported_at=now, note="")
            for year in range(min(years), max(years) + 1)
            if year not in have
        ]
    )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("sla", "Holiday")
    CalendarYear = apps.get_model("sla", "CalendarYear")
    Holiday.objects.filter(source__startswith=SOURCE_PREFIX).delete()
    CalendarYear.objects.filter(source__startswith=SOURCE_PREFIX).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
