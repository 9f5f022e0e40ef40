"""A long appeal text: the live side panels post it (no 414 from a URL too long), and the form
refuses what is beyond the limit with a clear message, writing nothing."""

import pytest

from jishiban.appeals.models import Appeal
from jishiban.web.tests.test_intake import CALL

pytestmark = pytest.mark.django_db


def test_side_panels_are_posted_not_put_in_the_url(login, personas):
    page = login(personas.operator).get("/intake/").content.decode()
    assert 'hx-post="/intake/assist/"' in page and 'hx-get="/intake/assist/"' not in page
    long_text = "幸福小区停水" * 3000  # 18,000 characters
    client = login(personas.operator)
    for panel in ("assist", "caller", "locate"):
        response = client.post(f"/intake/{panel}/", {**CALL, "content": long_text})
        assert response.status_code == 200, panel


def test_text_beyond_the_limit_is_refused_with_a_clear_message(login, personas, settings):
    limit = settings.JISHIBAN["MAX_CONTENT_LENGTH"]
    assert limit <= 5000
    page = login(personas.operator).get("/intake/").content.decode()
    assert f'maxlength="{limit}"' in page
    response = login(personas.operator).post("/intake/", {**CALL, "content": "停" * (limit + 1)})
    body = response.content.decode()
    assert f"诉求内容最多 {limit} 字，现有 {limit + 1} 字" in body and "确保" not in body
    assert not Appeal.objects.exists()
