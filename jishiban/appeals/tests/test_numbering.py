"""Daily appeal numbers: one statement creates or advances the day's counter."""

from datetime import date

import pytest
from django.db import transaction

from jishiban.appeals import numbering
from jishiban.appeals.models import NumberSequence


@pytest.mark.django_db
def test_first_number_of_a_day_creates_its_counter():
    assert numbering.allocate(date(2026, 11, 27)) == ["JN2026112700001"]
    assert NumberSequence.objects.get(day=date(2026, 11, 27)).last == 1


@pytest.mark.django_db
def test_ranges_follow_each_other_and_days_are_separate():
    day = date(2026, 11, 27)
    assert numbering.allocate(day, 3) == ["JN2026112700001", "JN2026112700002", "JN2026112700003"]
    assert numbering.allocate(day, 2) == ["JN2026112700004", "JN2026112700005"]
    assert numbering.allocate(date(2026, 11, 28)) == ["JN2026112800001"]
    assert numbering.allocate(day, 0) == []


@pytest.mark.django_db
def test_numbers_reserved_in_a_rolled_back_transaction_are_given_back():
    day = date(2026, 11, 27)
    numbering.allocate(day)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.allocate(day, 5)[-1] == "JN2026112700006"
        raise RuntimeError("batch failed")
    assert numbering.allocate(day) == ["JN2026112700002"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_share_a_number():
    import threading

    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite test database is not shared between threads")
    day, got, errors = date(2026, 11, 27), [], []

    def take():
        from django.db import connection as own

        try:
            for _ in range(20):
                got.extend(numbering.allocate(day))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(got) == len(set(got)) == 80
