"""The category tree from a taxonomy file: the project's (``data/default.json``) or a centre's own.

Shape: ``{"categories": [{"code", "name", "parent": code | null, "level": 1-3, "domain"?,
"reply_deadline"?, "urgent"?}]}``; a parent is one level up, anywhere in the file.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from jishiban.core.reference import (
    Counts,
    ReferenceDataError,
    duplicates,
    entry,
    parse,
    read_json,
    source_path,
    upsert,
)
from jishiban.sla.clock import parse_duration

from .models import Category

DATA_DIR = Path(__file__).resolve().parent / "data"
SLUG = r"^[-a-zA-Z0-9_]+$"


class _Category(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=1, max_length=30, pattern=SLUG)
    name: str = Field(min_length=1, max_length=60)
    parent: str | None = None
    level: int = Field(ge=1, le=3)
    domain: str = Field("", max_length=30)
    reply_deadline: str = Field("", max_length=10)
    urgent: bool = False


class TaxonomyFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    categories: list[_Category]


def read(path: Path) -> TaxonomyFile:
    label = str(path)
    taxonomy, problems = parse(TaxonomyFile, read_json(path), label)
    if taxonomy is None:
        raise ReferenceDataError(problems)
    problems += duplicates(label, "categories", taxonomy.categories)
    levels = {c.code: c.level for c in taxonomy.categories}
    for i, node in enumerate(taxonomy.categories):
        where = entry(label, "categories", i, node)
        if node.level == 1 and node.parent:
            problems.append(_("%(entry)s.parent：一级分类不能有上级") % {"entry": where})
        elif node.level > 1 and levels.get(node.parent or "") != node.level - 1:
            problems.append(_("%(entry)s.parent：%(code)s 不是文件中的 %(level)d 级分类") % {
                "entry": where, "code": node.parent, "level": node.level - 1})
        if node.reply_deadline:
            try:
                parse_duration(node.reply_deadline)
            except ValueError as exc:
                problems.append(f"{where}.reply_deadline: {exc}")
    if problems:
        raise ReferenceDataError(problems)
    return taxonomy


def write(taxonomy: TaxonomyFile) -> Counts:
    """Create or update the categories by code, parents before children."""
    total, stored = Counts(), {}
    ordered = sorted(enumerate(taxonomy.categories), key=lambda pair: pair[1].level)
    for level in (1, 2, 3):
        counts, rows = upsert(Category, [(node.code, {
            "name": node.name, "level": node.level, "parent": stored.get(node.parent), "domain": node.domain,
            "reply_deadline": node.reply_deadline, "urgent": node.urgent, "sort": sort})
            for sort, (_i, node) in enumerate(ordered) if node.level == level])
        stored.update(rows)
        total.created, total.updated, total.unchanged = (
            total.created + counts.created, total.updated + counts.updated, total.unchanged + counts.unchanged)
    return total


def load_taxonomy(source: str | Path = "default") -> Counts:
    """Check and write one taxonomy (a shipped name or a path); idempotent."""
    return write(read(source_path(source, DATA_DIR)))
