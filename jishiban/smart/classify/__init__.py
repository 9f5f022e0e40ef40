"""Text classification of appeals (pure Python + scikit-learn)."""

from jishiban.smart.classify.model import AppealClassifier, Config, ModelLoadError, compose
from jishiban.smart.classify.store import FileModelStore, ModelStore

__all__ = ["AppealClassifier", "Config", "ModelLoadError", "compose", "FileModelStore", "ModelStore"]
