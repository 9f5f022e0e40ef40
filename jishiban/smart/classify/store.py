"""Where trained classifiers live. ``ModelStore`` is the seam for the integration step: the
files used today and the database model versions added later both load and save the same blobs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from jishiban.smart.classify.model import AppealClassifier, ModelLoadError


@runtime_checkable
class ModelStore(Protocol):
    def load(self, ref: str | None = None) -> AppealClassifier:
        """The model ``ref`` (``None``: the active one). Raises ``ModelLoadError``."""

    def save(self, model: AppealClassifier, *, note: str = "", metrics: dict | None = None) -> str:
        """Store a model and return its reference."""


class FileModelStore:
    """One model file; ``ref`` may name another file. Writes are atomic (temp file + rename)."""

    def __init__(self, path: str | os.PathLike, *, key: bytes | None = None):
        self.path = Path(path)
        self.key = key

    def load(self, ref: str | None = None) -> AppealClassifier:
        path = Path(ref) if ref else self.path
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise ModelLoadError(f"无法读取模型文件 {path}：{exc.strerror or exc}") from exc
        return AppealClassifier.from_bytes(blob, key=self.key)

    def save(self, model: AppealClassifier, *, note: str = "", metrics: dict | None = None) -> str:
        blob = model.to_bytes(key=self.key, meta={"note": note, "metrics": metrics or {}})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(self.path)
