"""Categories named by code, name or path: ``010102``, ``物业收费``, ``物业管理/物业收费`` and
``城乡建设 > 物业管理 > 物业收费`` name one category. A name that two categories share (``其他``)
names neither; its path does. Only active categories are found."""

from __future__ import annotations

import re

from jishiban.core.lookups import Resolver, normal

from .models import Category

_SEPARATORS = re.compile(r"[/>＞\\|、\-—－·]+")


def spell(value) -> str:
    return _SEPARATORS.sub("/", normal(value)).strip("/")


def _keys(category: Category) -> list[str]:
    path = category.path_names
    return ["/".join(path[start:]) for start in range(len(path))]


CATEGORIES = Resolver(
    Category,
    lambda: Category.objects.filter(is_active=True).select_related("parent__parent"),
    _keys,
    probe=lambda code: Category.objects.select_related("parent__parent").filter(code=code, is_active=True).first(),
    spell=spell,
)
