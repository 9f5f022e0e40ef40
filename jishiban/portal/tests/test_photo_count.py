"""The 照片 line of a citizen's appeal counts the citizen's own files, not the units'."""

import pytest
from django.core.files.base import ContentFile

from jishiban.appeals import services
from jishiban.intake.models import Attachment
from jishiban.portal.selectors import citizen_view
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _file(appeal, event=None):
    return Attachment.objects.create(appeal=appeal, file=ContentFile(b"x", name="a.png"), original_name="a.png",
                                     content_type="image/png", size=1, sha256="0" * 64, event=event)


def test_the_units_note_files_are_not_the_citizens_photos(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    _file(appeal)  # handed in with the appeal
    note = services.add_unit_note(appeal, by=personas.handler, text="现场已查看")
    _file(appeal, event=note)
    assert citizen_view(appeal).photos == 1
