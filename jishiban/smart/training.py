"""Training classifier versions from the appeal history or CSV files, with a held-out check.

The held-out rows are chosen by a stable hash of each row (the appeal id; the text for CSV
rows), so every training holds out the same appeals: the new version and the active one are
compared on rows neither was trained on. The stored model is the one trained without the
held-out rows (so the next comparison is fair too). A new version becomes active when its
macro-F1 on the held-out rows is not below the active version's (minus
``CLASSIFIER_ACTIVATE_TOLERANCE``), or when forced.

Operators' final choices and dispatchers' corrections (``annotate`` events) are the current
category of each appeal, so training on the current values learns from them.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from . import conf
from .classify.data import load_labelled, measure
from .classify.model import AppealClassifier, Doc, ModelLoadError
from .classify_db import DatabaseModelStore, NoActiveModel
from .models import ClassifierVersion

log = logging.getLogger("jishiban.smart")

# Measured on one core: features ≈ 0.17 ms per text, the members ≈ 0.046 ms per text and class
# (6,858 texts × 7 classes in 3.4 s; 100,000 × 7 in 78 s; busy machines take up to 2–3 × longer).
MS_PER_TEXT, MS_PER_TEXT_CLASS = 0.17, 0.046


class TrainingError(Exception):
    """Training cannot run (no data, one label only …); the message is Chinese."""


@dataclass
class Dataset:
    docs: list[Doc] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # stable per row: decides the held-out split
    source: str = ""
    details: dict = field(default_factory=dict)


def history_dataset(*, level: int | None = None, days: float | None = None, now=None) -> Dataset:
    """Appeals with a category received in the last ``days`` (invalid ones left out); label =
    the category code, or its ancestor's at ``level`` (rows above that level are skipped)."""
    from jishiban.appeals.models import Appeal, AppealEvent
    from jishiban.taxonomy.models import Category

    now = now or timezone.now()
    days = float(conf.get("CLASSIFIER_HISTORY_DAYS") if days is None else days)
    since = now - timedelta(days=days)
    tree = {pk: (code, lvl, parent) for pk, code, lvl, parent in
            Category.objects.values_list("pk", "code", "level", "parent_id")}

    def label(category_id: int) -> str | None:
        node = tree.get(category_id)
        if level is None:
            return node[0] if node else None
        while node is not None and node[1] > level:
            node = tree.get(node[2])
        return node[0] if node is not None and node[1] == level else None

    data = Dataset()
    skipped = 0
    first = last = None
    qs = (Appeal.objects.filter(category__isnull=False, received_at__gte=since, received_at__lte=now)
          .exclude(status="invalid").order_by("pk").values_list("pk", "title", "content", "category_id", "received_at"))
    for pk, title, content, category_id, received in qs.iterator(chunk_size=5000):
        y = label(category_id)
        if y is None:
            skipped += 1
            continue
        data.docs.append((title or "", content or ""))
        data.labels.append(y)
        data.keys.append(f"appeal:{pk}")
        first = received if first is None or received < first else first
        last = received if last is None or received > last else last
    corrected = (AppealEvent.objects.filter(action="annotate", payload__has_key="category", at__gte=since)
                 .values("appeal_id").distinct().count())
    day = "%Y-%m-%d"
    span = (f"{timezone.localtime(first).strftime(day)} 至 {timezone.localtime(last).strftime(day)}"
            if first else _("（无）"))
    data.source = _("数据库历史：受理时间 %(span)s，%(n)d 件（其中人工更正分类 %(c)d 件）") % {
        "span": span, "n": len(data.docs), "c": corrected}
    data.details = {"kind": "history", "since": since.isoformat(), "until": now.isoformat(),
                    "first": first.isoformat() if first else None, "last": last.isoformat() if last else None,
                    "level": level, "skipped": skipped, "corrected": corrected}
    return data


def csv_dataset(paths: Sequence[str], text_columns: Sequence[str], label_column: str) -> Dataset:
    """Rows of CSV exports (see ``classify.data.load_labelled``); raises its errors."""
    from pathlib import Path

    labelled = load_labelled(paths, text_columns, label_column)
    keys = []
    for doc, y in zip(labelled.docs, labelled.labels, strict=True):
        text = "\x1f".join(doc) if isinstance(doc, tuple) else doc
        keys.append(f"csv:{y}:{text}")
    names = "、".join(Path(p).name for p in paths)
    return Dataset(docs=labelled.docs, labels=labelled.labels, keys=keys,
                   source=_("CSV 文件：%(f)s，%(n)d 条") % {"f": names, "n": len(labelled.docs)},
                   details={"kind": "csv", "files": [Path(p).name for p in paths],
                            "skipped": labelled.skipped_no_label})


def is_holdout(key: str, percent: int) -> bool:
    return zlib.crc32(key.encode()) % 100 < percent


@dataclass
class Outcome:
    version: ClassifierVersion
    activated: bool
    reason: str
    evaluation: dict
    compared_with: dict | None = None


class Progress:
    """Progress and ETA lines for a training run (``say`` gets Chinese text)."""

    def __init__(self, say: Callable[[str], None], n_rows: int, n_classes: int):
        self.say = say
        self.started = time.perf_counter()
        self.estimate = max(1.0, n_rows * (MS_PER_TEXT + MS_PER_TEXT_CLASS * n_classes) / 1000)
        self._last = -1.0

    def stage(self, name: str, done: float) -> None:
        if done - self._last < 0.04 and done < 1:  # a line every few percent is enough
            return
        self._last = done
        elapsed = time.perf_counter() - self.started
        left = elapsed / done * (1 - done) if done > 0.02 else max(0.0, self.estimate - elapsed)
        names = {"features": _("提取特征"), "done": _("完成")}
        label = names.get(name, _("训练 %s") % name)
        self.say(_("%(stage)s：%(pct)d%%，已用 %(el).1f 秒，预计还需 %(left).0f 秒")
                 % {"stage": label, "pct": round(100 * done), "el": elapsed, "left": left})


def train_version(dataset: Dataset, *, by=None, trigger: str = "command", activate: str = "auto",
                  level: int | None = None, note: str = "", progress: Callable[[str], None] | None = None) -> Outcome:
    """Train on ``dataset`` minus the held-out rows, measure on them, store a new version and
    activate it per ``activate`` (``auto``, ``force`` or ``never``). Raises ``TrainingError``."""
    say = progress or (lambda _msg: None)
    minimum = int(conf.get("CLASSIFIER_MIN_ROWS"))
    if not dataset.docs:
        raise TrainingError(_("历史数据为空：没有带分类的诉求件可供训练"))
    if len(dataset.docs) < minimum:
        raise TrainingError(_("训练数据太少：%(n)d 条（至少需要 %(m)d 条）") % {"n": len(dataset.docs), "m": minimum})
    percent = int(conf.get("CLASSIFIER_HOLDOUT_PERCENT"))
    hold = [is_holdout(k, percent) for k in dataset.keys]
    train_docs = [d for d, h in zip(dataset.docs, hold, strict=True) if not h]
    train_labels = [y for y, h in zip(dataset.labels, hold, strict=True) if not h]
    test_docs = [d for d, h in zip(dataset.docs, hold, strict=True) if h]
    test_labels = [y for y, h in zip(dataset.labels, hold, strict=True) if h]
    if len(set(train_labels)) < 2:
        raise TrainingError(_("训练数据只有一个分类，无法训练"))
    tracker = Progress(say, len(train_docs), len(set(train_labels)))
    say(_("训练 %(n)d 条、留出 %(m)d 条（%(k)d 个分类），预计约 %(s).0f 秒")
        % {"n": len(train_docs), "m": len(test_docs), "k": len(set(train_labels)), "s": tracker.estimate})
    started = time.perf_counter()
    model = AppealClassifier().fit(train_docs, train_labels, progress=tracker.stage)
    train_seconds = round(time.perf_counter() - started, 2)
    evaluation = {
        **measure(model, test_docs, test_labels),
        "n_train": len(train_docs), "n_holdout": len(test_docs), "train_seconds": train_seconds,
        "holdout": {"percent": percent, "rule": f"crc32(key) % 100 < {percent}"},
        "data": dataset.details,
    }
    store = DatabaseModelStore()
    compared = _compare(store, test_docs, test_labels)
    if compared is not None:
        evaluation["compared_with"] = compared
    number = store.save(model, note=note, metrics=evaluation, source=dataset.source, trained_by=by,
                        trigger=trigger, level=level, n_train=len(train_docs), n_holdout=len(test_docs))
    version = ClassifierVersion.objects.defer("blob").get(number=int(number))
    activated, reason = _decide(activate, evaluation, compared)
    if compared is not None and "error" not in compared and compared.get("level") != level:
        reason += _("（v%(v)d 的分类层级不同，比较仅供参考）") % {"v": compared["version"]}
    if activated:
        try:
            store.activate(number)
        except ModelLoadError as exc:
            activated, reason = False, _("新版本无法加载，未启用：%(e)s") % {"e": exc}
        version.refresh_from_db(fields=["is_active", "activated_at"])
    log.info("classifier v%s trained (%s): %s", number, trigger, reason)
    return Outcome(version, activated, reason, evaluation, compared)


def _compare(store: DatabaseModelStore, docs, labels) -> dict | None:
    """The active version measured on the same held-out rows (``None`` when there is none)."""
    active = ClassifierVersion.objects.defer("blob").filter(is_active=True).first()
    if active is None:
        return None
    try:
        model = store.load(str(active.number))
    except (ModelLoadError, NoActiveModel) as exc:
        return {"version": active.number, "error": str(exc)}
    return {"version": active.number, "level": active.level, **measure(model, docs, labels)}


def _decide(activate: str, evaluation: dict, compared: dict | None) -> tuple[bool, str]:
    if activate == "force":
        return True, _("按要求启用")
    if activate == "never":
        return False, _("按要求不启用")
    if compared is None:
        return True, _("此前没有使用中的模型，直接启用")
    if "error" in compared:
        return True, _("当前模型 v%(v)d 无法加载，新版本直接启用") % {"v": compared["version"]}
    new, old = evaluation.get("macro_f1"), compared.get("macro_f1")
    if new is None or old is None:
        return False, _("留出集为空，无法与 v%(v)d 比较，未启用（可用 --activate 强制）") % {"v": compared["version"]}
    tolerance = float(conf.get("CLASSIFIER_ACTIVATE_TOLERANCE"))
    values = {"new": new, "old": old, "v": compared["version"]}
    if new >= old - tolerance:
        return True, _("留出集宏平均 F1 %(new).4f，不低于 v%(v)d 的 %(old).4f，已启用") % values
    return False, _("留出集宏平均 F1 %(new).4f，低于 v%(v)d 的 %(old).4f，未启用") % values


def retrain_if_needed(*, trigger: str = "schedule", progress=None) -> str:
    """Train a new version when enough appeals got a category (or a correction) since the
    active one was trained, or when there is none yet; returns what was done (Chinese)."""
    from jishiban.appeals.models import Appeal, AppealEvent

    active = ClassifierVersion.objects.defer("blob").filter(is_active=True).first()
    level = conf.get("CLASSIFIER_LEVEL")
    if active is not None:
        since = active.created_at
        new = Appeal.objects.filter(category__isnull=False, received_at__gt=since).count()
        new += AppealEvent.objects.filter(action="annotate", payload__has_key="category", at__gt=since).count()
        needed = int(conf.get("RETRAIN_MIN_NEW"))
        if new < needed:
            return _("无需重新训练：v%(v)d 之后新增/更正 %(n)d 件，少于 %(m)d 件") % {"v": active.number, "n": new, "m": needed}
    try:
        outcome = train_version(history_dataset(level=level), trigger=trigger, level=level, progress=progress)
    except TrainingError as exc:
        return _("未训练：%(e)s") % {"e": exc}
    return _("已训练 v%(v)d：%(r)s") % {"v": outcome.version.number, "r": outcome.reason}
