"""``AppealClassifier``: category suggestions for citizens' appeals, with probabilities and reasons.

Method (chosen on held-out teddy2020 data, see docs/smart.md):

* text = title repeated ``title_repeat`` times + body (titles carry most of the signal);
* one character 1–4-gram count matrix and one rjieba word 1–2-gram count matrix, from which
  three TF-IDF views are derived: characters ≤ 3 (plain tf), characters ≤ 4 (sublinear tf),
  words;
* members: LinearSVC on [char≤3 | words] and LinearSVC on char≤4, each with per-class
  sigmoid calibration fitted on 3-fold out-of-fold decisions (``linear.py``); the members'
  probabilities are averaged. (ComplementNB on char≤3,
  LogisticRegression, class weights and the taxonomy as extra examples were tried and did not
  help on held-out data; ``Config.members`` can still add ``"nb_char"``.)

``explain`` reports the words and character n-grams whose weights pushed the text towards a
label in the first member (a linear model, so contribution = tf-idf value × coefficient).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import pickle  # noqa: S403 - blobs are written by this class and checked (digest/HMAC) before loading
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.naive_bayes import ComplementNB

from jishiban.smart.classify.features import CharNgrams, WordNgrams
from jishiban.smart.classify.linear import CalibratedLinear, fit_calibrated_svc, tfidf

FORMAT_MAGIC = b"JISHIBAN-SMART-CLASSIFIER\n"
_PUNCT = re.compile(r"[\s\W_]+")
FORMAT_VERSION = 1


def feature_share(n_classes: int) -> float:
    """Share of training time spent on features, for progress estimates. Measured: features
    ≈ 0.17 ms per text, each SVC member ≈ 0.023 ms per text and class (one-vs-rest), so the
    members dominate when there are many classes (7 classes: 0.35; 66 classes: 0.05)."""
    return 1 / (1 + 0.27 * max(n_classes, 1))

Doc = str | tuple[str, str]


class ModelLoadError(Exception):
    """A model blob that is not ours, is damaged, or was made by an incompatible version."""


@dataclass(frozen=True)
class Config:
    title_repeat: int = 2
    max_body_chars: int | None = 300
    char_max_n: int = 4
    min_df: int = 2
    svc_c: float = 1.0
    nb_alpha: float = 0.1
    calibration_folds: int = 3
    # The SVC is trained on all rows; only the calibration sigmoids come from out-of-fold
    # decisions (CalibratedClassifierCV(ensemble=True), whose fold models each see 2/3 of the
    # few full-text rows, scored about one point of macro-F1 lower), on at most this many rows.
    max_calibration_rows: int = 20_000
    class_weight: str | None = None
    # "nb_char" (ComplementNB) is available but did not help on held-out data.
    members: tuple[str, ...] = ("svc_char_word", "svc_char4")


def compose(doc: Doc, title_repeat: int = 2, max_body_chars: int | None = None) -> str:
    """A document as one string: a (title, body) pair becomes the title ×n then the body
    (cut to ``max_body_chars``; the opening states the matter, the rest is mostly narrative)."""
    if isinstance(doc, tuple):
        title, body = (doc[0] or "").strip(), (doc[1] or "").strip()
        if max_body_chars is not None:
            body = body[:max_body_chars]
        return "。".join([title] * title_repeat + ([body] if body else [])) if title else body
    text = doc or ""
    return text if max_body_chars is None else text[: max_body_chars + 40]


class AppealClassifier:
    def __init__(self, config: Config | None = None):
        self.config = config or Config()
        self.labels_: list[str] = []
        self._fitted = False

    def _compose(self, doc: Doc) -> str:
        return compose(doc, self.config.title_repeat, self.config.max_body_chars)

    # -- features ------------------------------------------------------------------------
    def _counts(self, texts: list[str], fit: bool):
        if fit:
            c = self.config
            self._char = CharNgrams(c.char_max_n, c.min_df)
            self._word = WordNgrams(c.min_df)
            Xc = self._char.fit_transform(texts)
            Xw = self._word.fit_transform(texts)
            self._n_short = self._char.columns_up_to(3)
        else:
            Xc = self._char.transform(texts)
            Xw = self._word.transform(texts)
        return Xc[:, : self._n_short], Xc, Xw

    def _views(self, texts: list[str], fit: bool) -> dict[str, sp.csr_matrix]:
        c3, c4, w = self._counts(texts, fit)
        if fit:
            self._idf3 = TfidfTransformer().fit(c3).idf_
            self._idf4 = TfidfTransformer(sublinear_tf=True).fit(c4).idf_
            self._idfw = TfidfTransformer().fit(w).idf_
        x3, x4, xw = tfidf(c3, self._idf3, False), tfidf(c4, self._idf4, True), tfidf(w, self._idfw, False)
        return {
            "svc_char_word": sp.hstack([x3, xw], format="csr"),
            "svc_char4": x4,
            "nb_char": x3,
        }

    # -- training and prediction ---------------------------------------------------------
    def fit(self, texts: Sequence[Doc], labels: Sequence[str],
            progress: Callable[[str, float], None] | None = None) -> AppealClassifier:
        """Train on documents (strings or (title, body) pairs); raises ``ValueError`` with < 2 labels.
        ``progress(stage, fraction_done)`` is called between stages (features, each member)."""
        say = progress or (lambda _stage, _done: None)
        docs = [self._compose(t) for t in texts]
        y = np.asarray([str(label) for label in labels])
        if len(docs) != len(y):
            raise ValueError("texts and labels differ in length")
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError("need at least two labels to train")
        say("features", 0.0)
        views = self._views(docs, fit=True)
        c = self.config
        self._members = {}
        share = feature_share(len(classes))
        for n, name in enumerate(c.members):
            start, width = share + (1 - share) * n / len(c.members), (1 - share) / len(c.members)
            say(name, start)
            if name.startswith("svc"):
                self._members[name] = fit_calibrated_svc(
                    views[name], y_idx, len(classes), C=c.svc_c, class_weight=c.class_weight,
                    folds=c.calibration_folds, max_calibration_rows=c.max_calibration_rows,
                    progress=lambda done, name=name, start=start, width=width: say(name, start + width * done),
                )
            else:
                self._members[name] = ComplementNB(alpha=c.nb_alpha).fit(views[name], y_idx)
        self.labels_ = [str(label) for label in classes]
        self._fitted = True
        say("done", 1.0)
        return self

    def predict_proba(self, texts: Sequence[Doc]) -> np.ndarray:
        """(n, n_labels) probabilities, columns in ``labels_`` order."""
        self._check()
        docs = [self._compose(t) for t in texts]
        if not docs:
            return np.zeros((0, len(self.labels_)))
        views = self._views(docs, fit=False)
        total = np.zeros((len(docs), len(self.labels_)))
        for name, model in self._members.items():
            total += model.predict_proba(views[name])
        return total / len(self._members)

    def predict_top(self, texts: Sequence[Doc], k: int = 3) -> list[list[tuple[str, float]]]:
        """For each text the ``k`` most likely labels with their probabilities, best first."""
        proba = self.predict_proba(texts)
        order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        top = np.round(np.take_along_axis(proba, order, axis=1), 4).tolist()
        labels = self.labels_
        return [[(labels[j], p) for j, p in zip(row_order, row_p, strict=True)]
                for row_order, row_p in zip(order.tolist(), top, strict=True)]

    def predict(self, texts: Sequence[Doc]) -> list[str]:
        return [top[0][0] for top in self.predict_top(texts, k=1)]

    def explain(self, text: Doc, label: str, n: int = 5) -> list[tuple[str, float]]:
        """The words/character n-grams of ``text`` that pushed it most towards ``label``
        (punctuation stripped; digit runs dropped: they mean nothing and may be pieces of a
        phone number)."""
        self._check()
        if label not in self.labels_:
            raise KeyError(label)
        doc = self._compose(text)
        member = "svc_char_word" if "svc_char_word" in self._members else next(iter(self._members))
        x = self._views([doc], fit=False)[member]
        coef = self._coef(member)[self.labels_.index(label)]
        row = x.getrow(0)
        contrib = row.data * coef[row.indices]
        names = self._feature_names(member)
        ranked = sorted(zip(row.indices, contrib, strict=True), key=lambda p: -p[1])
        out: list[tuple[str, float]] = []
        for j, w in ranked:
            if w <= 0 or len(out) >= n:
                break
            name = _PUNCT.sub("", names[j])
            if len(name) < 2 or name.isdigit() or any(name in o for o, _ in out):
                continue
            out = [(o, ow) for o, ow in out if o not in name] + [(name, round(float(w), 4))]
        return sorted(out, key=lambda p: -p[1])[:n]

    def _coef(self, member: str) -> np.ndarray:
        model = self._members[member]
        if isinstance(model, CalibratedLinear):
            return model.coef
        return model.feature_log_prob_  # ComplementNB: larger means more indicative

    def _feature_names(self, member: str = "svc_char_word") -> list[str]:
        chars = self._char.names_
        if member == "svc_char4":
            return chars
        short = chars[: self._n_short]
        return short + self._word.names_ if member == "svc_char_word" else short

    def _check(self) -> None:
        if not self._fitted:
            raise RuntimeError("AppealClassifier is not fitted")

    # -- persistence ---------------------------------------------------------------------
    def to_bytes(self, *, key: bytes | None = None, meta: dict | None = None) -> bytes:
        """Serialise with a header, format version, library versions and a SHA-256 digest
        (an HMAC-SHA256 when ``key`` is given, so a blob from elsewhere is refused)."""
        self._check()
        state = dict(self.__dict__)
        state.pop("_names", None)
        buf = io.BytesIO()
        pickle.dump(state, buf, protocol=pickle.HIGHEST_PROTOCOL)
        payload = buf.getvalue()
        digest = hmac.new(key, payload, hashlib.sha256).hexdigest() if key else hashlib.sha256(payload).hexdigest()
        header = {
            "format_version": FORMAT_VERSION,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "labels": self.labels_,
            "signed": bool(key),
            "digest": digest,
            "meta": meta or {},
        }
        return FORMAT_MAGIC + json.dumps(header, ensure_ascii=False).encode() + b"\n" + payload

    @staticmethod
    def read_header(blob: bytes) -> dict:
        """The JSON header of a blob, without unpickling anything; raises ``ModelLoadError``."""
        if not isinstance(blob, bytes | bytearray) or not blob.startswith(FORMAT_MAGIC):
            raise ModelLoadError("不是济时办分类模型文件（文件头不符）")
        end = blob.find(b"\n", len(FORMAT_MAGIC))
        if end < 0:
            raise ModelLoadError("模型文件已截断（缺少元数据）")
        try:
            return json.loads(blob[len(FORMAT_MAGIC) : end])
        except ValueError as exc:
            raise ModelLoadError(f"模型元数据损坏：{exc}") from exc

    @classmethod
    def from_bytes(cls, blob: bytes, *, key: bytes | None = None) -> AppealClassifier:
        """Load a blob made by ``to_bytes``; raises ``ModelLoadError`` on anything wrong."""
        header = cls.read_header(blob)
        if header.get("format_version") != FORMAT_VERSION:
            raise ModelLoadError(f"模型格式版本 {header.get('format_version')} 不受支持（需要 {FORMAT_VERSION}）")
        made, have = str(header.get("sklearn", "")), sklearn.__version__
        if made.split(".")[:2] != have.split(".")[:2]:
            raise ModelLoadError(f"模型由 scikit-learn {made} 训练，当前为 {have}，请重新训练")
        if bool(header.get("signed")) != bool(key):
            raise ModelLoadError("模型签名方式不符（是否提供了密钥？）")
        payload = bytes(blob[blob.find(b"\n", len(FORMAT_MAGIC)) + 1 :])
        digest = hmac.new(key, payload, hashlib.sha256).hexdigest() if key else hashlib.sha256(payload).hexdigest()
        if not hmac.compare_digest(digest, str(header.get("digest", ""))):
            raise ModelLoadError("模型文件已损坏或被改动（校验值不符）")
        try:
            state = pickle.loads(payload)  # noqa: S301 - integrity checked above
        except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same to the caller
            raise ModelLoadError(f"模型无法加载：{exc}") from exc
        model = cls.__new__(cls)
        model.__dict__.update(state)
        return model


def top_k_accuracy(tops: Iterable[list[tuple[str, float]]], truth: Iterable[str]) -> float:
    hits = [t in [label for label, _ in top] for top, t in zip(tops, truth, strict=True)]
    return float(np.mean(hits)) if hits else 0.0
