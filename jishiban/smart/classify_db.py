"""Classifier versions in the database: ``DatabaseModelStore`` (the ``ModelStore`` of the
integration) and the per-process cache of the active model.

Blobs are signed with an HMAC key derived from ``SECRET_KEY`` (keys of
``SECRET_KEY_FALLBACKS`` are accepted when loading, so a key rotation does not orphan the
models at once). A blob is checked twice before anything is unpickled: its SHA-256 against the
row, then its signature (``AppealClassifier.from_bytes``). Activation loads the blob first and
refuses one that fails, so a corrupt or incompatible version never becomes active.
"""

from __future__ import annotations

import hashlib
import logging
import threading

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .classify.model import AppealClassifier, ModelLoadError
from .models import ClassifierVersion

log = logging.getLogger("jishiban.smart")

_KEY_SALT = "jishiban.smart.classifier"


class NoActiveModel(Exception):
    """No classifier version is active (none trained yet, or all deactivated)."""


def signing_key(secret: str | None = None) -> bytes:
    return salted_hmac(_KEY_SALT, "model-blob", secret=secret or settings.SECRET_KEY).digest()


def _keys() -> list[bytes]:
    return [signing_key()] + [signing_key(k) for k in getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def load_blob(blob: bytes, sha256: str | None = None) -> AppealClassifier:
    """A classifier from a stored blob; raises ``ModelLoadError`` with a Chinese message."""
    blob = bytes(blob or b"")
    if not blob:
        raise ModelLoadError(_("模型数据为空"))
    if sha256 and hashlib.sha256(blob).hexdigest() != sha256:
        raise ModelLoadError(_("模型数据已损坏（SHA-256 与记录不符）"))
    header = AppealClassifier.read_header(blob)
    if not header.get("signed"):
        raise ModelLoadError(_("模型未签名，拒绝加载"))
    last: ModelLoadError | None = None
    for key in _keys():
        try:
            return AppealClassifier.from_bytes(blob, key=key)
        except ModelLoadError as exc:
            last = exc
            if "校验值" not in str(exc):  # not a signature mismatch: another key will not help
                raise
    raise ModelLoadError(_("模型签名不符（SECRET_KEY 是否已更换？请重新训练）")) from last


class DatabaseModelStore:
    """``ModelStore`` over ``ClassifierVersion``; ``ref`` is the version number as text."""

    def load(self, ref: str | None = None) -> AppealClassifier:
        row = self._row(ref)
        return load_blob(row.blob, row.sha256)

    def _row(self, ref: str | None) -> ClassifierVersion:
        qs = ClassifierVersion.objects.all()
        row = qs.filter(is_active=True).first() if ref is None else qs.filter(number=_number(ref)).first()
        if row is None:
            if ref is None:
                raise NoActiveModel(_("尚未训练分类模型"))
            raise ModelLoadError(_("没有版本 %(n)s") % {"n": ref})
        return row

    def save(self, model: AppealClassifier, *, note: str = "", metrics: dict | None = None, **fields) -> str:
        """Store ``model`` as a new, inactive version; ``fields`` fill the other columns
        (``source``, ``trained_by``, ``trigger``, ``level``, ``n_train``, ``n_holdout``)."""
        metrics = metrics or {}
        blob = model.to_bytes(key=signing_key(), meta={"note": note, "metrics": metrics})
        for attempt in range(3):
            last = ClassifierVersion.objects.aggregate(n=Max("number"))["n"] or 0
            try:
                with transaction.atomic():
                    row = ClassifierVersion.objects.create(
                        number=last + 1, labels=list(model.labels_), evaluation=metrics, blob=blob, size=len(blob),
                        sha256=hashlib.sha256(blob).hexdigest(), note=note[:300], **fields,
                    )
                return str(row.number)
            except IntegrityError:  # two trainings finished at once: take the next number
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def activate(self, ref: str | int) -> ClassifierVersion:
        """Make version ``ref`` the active one after loading it; raises ``ModelLoadError``
        (and leaves the active version as it was) when it cannot be loaded."""
        row = self._row(str(ref))
        load_blob(row.blob, row.sha256)
        with transaction.atomic():
            ClassifierVersion.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
            ClassifierVersion.objects.filter(pk=row.pk).update(is_active=True, activated_at=timezone.now())
        row.is_active = True
        log.info("classifier version %s activated", row.number)
        return row

    def versions(self):
        return ClassifierVersion.objects.defer("blob").select_related("trained_by").order_by("-number")


def _number(ref) -> int:
    text = str(ref).strip().lstrip("vV")
    if not text.isdigit():
        raise ModelLoadError(_("版本号须为数字：%(r)s") % {"r": ref})
    return int(text)


# --- The active model of this process ---------------------------------------------------------

_lock = threading.Lock()
_active: dict[str, object] = {"key": None, "model": None, "row": None, "error": None}


def active_model() -> tuple[AppealClassifier, ClassifierVersion]:
    """The active classifier and its row, loaded once per version and process (a cheap query
    per call notices an activation elsewhere). Raises ``NoActiveModel`` or ``ModelLoadError``
    (a broken active version is reported, not retried on every call)."""
    row = ClassifierVersion.objects.defer("blob").filter(is_active=True).first()
    if row is None:
        raise NoActiveModel(_("尚未训练分类模型"))
    key = (row.pk, row.sha256)
    with _lock:
        if _active["key"] == key:
            if _active["error"] is not None:
                raise ModelLoadError(str(_active["error"]))
            return _active["model"], _active["row"]  # type: ignore[return-value]
    blob = ClassifierVersion.objects.filter(pk=row.pk).values_list("blob", flat=True).first()
    try:
        model = load_blob(blob, row.sha256)
    except ModelLoadError as exc:
        log.error("active classifier v%s cannot be loaded: %s", row.number, exc)
        with _lock:
            _active.update(key=key, model=None, row=row, error=_("当前模型 v%(n)s 无法加载：%(e)s") % {"n": row.number, "e": exc})
        raise ModelLoadError(str(_active["error"])) from exc
    with _lock:
        _active.update(key=key, model=model, row=row, error=None)
    return model, row


def forget_active() -> None:
    """Drop the cached model (tests; memory)."""
    with _lock:
        _active.update(key=None, model=None, row=None, error=None)
