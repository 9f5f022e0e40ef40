"""The category tree: paths, deadline profiles and urgency inherited down the tree."""

import pytest

from jishiban.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def test_a_leaf_names_its_path_from_the_top(reference_data):
    assert Category.objects.get(code="020101").path_names == ["水电气暖", "供水", "停水"]


def test_the_deadline_profile_is_inherited_until_a_node_sets_its_own(reference_data):
    leaf = Category.objects.get(code="020101")
    assert leaf.reply_deadline == "" and leaf.profile("reply_deadline") == "2d"  # from 水电气暖
    assert Category.objects.get(code="010101").profile("reply_deadline") == ""  # nobody sets one: the default
    leaf.parent.reply_deadline = "1d"
    leaf.parent.save()
    assert Category.objects.get(code="020101").profile("reply_deadline") == "1d"


def test_urgency_comes_from_the_node_or_an_ancestor(reference_data):
    assert Category.objects.get(code="020301").is_urgent()  # 燃气泄漏
    assert not Category.objects.get(code="020101").is_urgent()
    parent = Category.objects.get(code="0201")
    parent.urgent = True
    parent.save()
    assert Category.objects.get(code="020101").is_urgent()
