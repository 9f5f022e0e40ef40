"""The data migration that gives an existing database the 县级可派 flags of the organisations file."""

import importlib

import pytest
from django.apps import apps

from jishiban.organisations.models import Organisation

pytestmark = pytest.mark.django_db

migration = importlib.import_module("jishiban.organisations.migrations.0003_desk16_county_dispatch_flags")


def test_the_flags_come_from_the_organisations_file_and_go_back_on_reversal():
    codes = migration.flagged_codes()
    assert "ent-heating" in codes and "city-water" not in codes
    Organisation.objects.update(county_dispatch=False)  # a database loaded before the flags existed
    migration.set_flags(apps, None)
    flagged = set(Organisation.objects.filter(county_dispatch=True).values_list("code", flat=True))
    assert flagged == set(codes) & set(Organisation.objects.values_list("code", flat=True)) and flagged
    migration.clear_flags(apps, None)
    assert not Organisation.objects.filter(county_dispatch=True).exists()
    migration.set_flags(apps, None)
    migration.set_flags(apps, None)  # running it again changes nothing
    assert set(Organisation.objects.filter(county_dispatch=True).values_list("code", flat=True)) == flagged
