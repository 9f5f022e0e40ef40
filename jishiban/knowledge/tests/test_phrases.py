"""Stock phrases (常用语): per category, offered in the reply and callback forms."""

import pytest
from django.test import Client
from django.urls import reverse

from jishiban.knowledge import selectors, services
from jishiban.taxonomy.models import Category
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def phrases(reference_data):
    water = Category.objects.get(code="0201")  # 供水, above 停水
    return {
        "general": services.create_phrase(purpose="reply", text="经核实，问题已处理完毕。"),
        "water": services.create_phrase(purpose="reply", text="管网抢修完毕，已恢复供水。", category=water),
        "power": services.create_phrase(purpose="reply", text="线路已检修。", category=Category.objects.get(code="0202")),
        "callback": services.create_phrase(purpose="callback", text="请问问题是否已经解决？"),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_categorys_phrases_come_first_then_the_general_ones(phrases):
    found = selectors.phrases_for("reply", Category.objects.get(code="020101").pk)
    assert found == [phrases["water"], phrases["general"]]


def test_the_reply_form_offers_the_phrases_of_the_appeals_category(personas, phrases):
    appeal = advance(make_appeal(), personas, "accepted")
    page = _client(personas.handler).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "管网抢修完毕，已恢复供水。" in page and "线路已检修。" not in page
    assert 'data-phrase-target="#act-reply-form textarea[name=text]"' in page


def test_the_callback_list_offers_callback_phrases(personas, phrases):
    advance(make_appeal(), personas, "replied")
    page = _client(personas.supervisor).get(reverse("supervision:callbacks")).content.decode()
    assert "请问问题是否已经解决？" in page and "管网抢修完毕" not in page


def test_a_phrase_needs_text():
    from jishiban.appeals.errors import AppealValidationError

    with pytest.raises(AppealValidationError):
        services.create_phrase(purpose="reply", text=" ")
