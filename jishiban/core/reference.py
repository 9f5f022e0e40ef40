"""A city's reference data — gazetteer, taxonomy, organisations — read, checked and written.

``load_reference(gazetteer, taxonomy, organisations)`` is the one path the demo, the tests and
``jishiban setup`` take: each source is the name of a file shipped with the project
(``regions/data/jining.json``, ``taxonomy/data/default.json``, ``organisations/data/jining.json``)
or a path to a centre's own JSON of the same shape. All three files are checked before anything
is written; every problem names the file and the entry (``towns[12]（370811002 许庄街道）.county:
…``) and nothing is written while there is one. Writing is by code: a row that exists is updated
when a value differs, never created twice, and rows that the files no longer list are kept (an
appeal may point at them).

The file schemas are pydantic models (a runtime dependency already, through django-ninja); the
checks across entries (parents, levels, regions named by organisations) are the apps' own
(``regions.services``, ``taxonomy.services``, ``organisations.services``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError


class ReferenceDataError(Exception):
    """Problems in reference files, each naming the file and the entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Counts:
    """What writing one kind of row did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _("新增 %(c)d，更新 %(u)d，未变 %(n)d") % {"c": self.created, "u": self.updated, "n": self.unchanged}


@dataclass
class Loaded:
    counts: dict[str, Counts] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


def source_path(source: str | Path, data_dir: Path) -> Path:
    """A shipped file's name (``jining``) or a path of one's own."""
    text = str(source)
    if "/" in text or "\\" in text or text.endswith(".json"):
        return Path(text)
    return data_dir / f"{text}.json"


def read_json(path: Path) -> dict:
    label = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ReferenceDataError([_("%(f)s：文件不存在") % {"f": label}])
    except UnicodeDecodeError:
        raise ReferenceDataError([_("%(f)s：不是 UTF-8 编码的文本") % {"f": label}])
    except json.JSONDecodeError as exc:
        raise ReferenceDataError([_("%(f)s：第 %(line)d 行第 %(col)d 列不是合法的 JSON（%(msg)s）") % {
            "f": label, "line": exc.lineno, "col": exc.colno, "msg": exc.msg}])
    if not isinstance(data, dict):
        raise ReferenceDataError([_("%(f)s：应为 JSON 对象") % {"f": label}])
    return data


_MESSAGES = {
    "missing": "缺少此项", "string_type": "应为文本", "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数", "int_parsing": "应为整数", "list_type": "应为列表", "dict_type": "应为对象",
    "model_type": "应为对象", "literal_error": "取值不在允许范围内", "string_too_short": "不能为空",
    "string_too_long": "过长", "string_pattern_mismatch": "只能包含字母、数字、连字符和下划线",
    "greater_than_equal": "过小", "less_than_equal": "过大",
}


def _where(data: dict, loc: tuple) -> str:
    """``towns[12]（370811002 许庄街道）.county`` for a pydantic error location."""
    parts, node = [], data
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and (node.get("code") or node.get("name")):
                parts[-1] += f"（{' '.join(str(node.get(k)) for k in ('code', 'name') if node.get(k))}）"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or _("（整个文件）")


def parse(schema: type[BaseModel], data: dict, label: str) -> tuple[BaseModel | None, list[str]]:
    try:
        return schema.model_validate(data), []
    except ValidationError as exc:
        return None, [f"{label}: {_where(data, tuple(e['loc']))}: {_MESSAGES.get(e['type'], e['msg'])}"
                      for e in exc.errors()]


def entry(label: str, section: str, index: int, row) -> str:
    return f"{label}: {section}[{index}]（{row.code} {row.name}）"


def duplicates(label: str, section: str, rows) -> list[str]:
    seen = Counter(row.code for row in rows)
    return [_("%(f)s: %(s)s：代码 %(code)s 出现 %(n)d 次") % {"f": label, "s": section, "code": code, "n": n}
            for code, n in seen.items() if n > 1]


def _differs(row: models.Model, name: str, value) -> bool:
    if value is None or isinstance(value, models.Model):  # a relation: compare ids, load nothing
        field_ = row._meta.get_field(name)
        if field_.is_relation:
            return getattr(row, field_.attname) != (value.pk if value is not None else None)
    return getattr(row, name) != value


def upsert(model: type[models.Model], rows: list[tuple[str, dict]]) -> tuple[Counts, dict[str, models.Model]]:
    """Create or update rows of ``model`` by code; only rows whose values differ are saved."""
    counts = Counts()
    existing = model.objects.in_bulk([code for code, _values in rows], field_name="code")
    stored: dict[str, models.Model] = {}
    for code, values in rows:
        row = existing.get(code)
        if row is None:
            row = model.objects.create(code=code, **values)
            counts.created += 1
        elif any(_differs(row, name, value) for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            counts.updated += 1
        else:
            counts.unchanged += 1
        stored[code] = row
    return counts, stored


def load_reference(gazetteer: str | Path = "jining", taxonomy: str | Path = "default",
                   organisations: str | Path = "jining") -> Loaded:
    """Check the three files, then write them in one transaction (regions, categories,
    organisations). Raises ``ReferenceDataError`` with every problem; nothing written then."""
    from jishiban.organisations import services as orgs
    from jishiban.regions import services as regions
    from jishiban.taxonomy import services as tax

    problems: list[str] = []
    checked = {}
    for kind, module, source in (("regions", regions, gazetteer), ("categories", tax, taxonomy),
                                 ("organisations", orgs, organisations)):
        path = source_path(source, module.DATA_DIR)
        try:
            known = checked["regions"][0].codes() if kind == "organisations" and checked.get("regions") else set()
            checked[kind] = (module.read(path, known_regions=known) if kind == "organisations"
                             else module.read(path), str(path))
        except ReferenceDataError as exc:
            problems.extend(exc.problems)
            checked[kind] = None
    if problems:
        raise ReferenceDataError(problems)
    loaded = Loaded(files={kind: label for kind, (_data, label) in checked.items()})
    with transaction.atomic():
        loaded.counts.update(regions.write(checked["regions"][0]))
        loaded.counts["categories"] = tax.write(checked["categories"][0])
        loaded.counts["organisations"] = orgs.write(checked["organisations"][0])
    return loaded
