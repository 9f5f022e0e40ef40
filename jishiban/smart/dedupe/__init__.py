"""Duplicate and repeat detection for incoming appeals (pure Python, no Django models)."""

from jishiban.smart.dedupe.index import (
    DUPLICATE,
    RELATED,
    REPEAT,
    Candidate,
    DuplicateIndex,
    Signals,
    Thresholds,
    judge,
    reason_of,
    score_pair,
)
from jishiban.smart.dedupe.repeats import RepeatFlag, check_repeat
from jishiban.smart.dedupe.scan import Pair, Record, scan_pairs

__all__ = [
    "DUPLICATE", "RELATED", "REPEAT", "Candidate", "DuplicateIndex", "Signals", "Thresholds", "judge", "reason_of",
    "score_pair",
    "RepeatFlag", "check_repeat", "Pair", "Record", "scan_pairs",
]
