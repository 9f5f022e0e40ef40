"""Text features for duplicate detection: normalised text, shingles, MinHash, places, topic words.

Everything here is deterministic across processes (``zlib.crc32``, not Python's salted
``hash``), so signatures computed by the intake worker and by a nightly scan agree.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import rjieba
from datasketch import MinHash

NUM_PERM = 64
SHINGLE = 3
_SEED = 20240601

_DROP = re.compile(r"[\s\u3000，。！？、；：,.!?;:（）()【】\[\]“”\"'‘’《》<>—\-…·~～/\\|]+")
# A place key: up to four characters before a place suffix ("五一桥", "魅力之城小区").
_PLACE_SUFFIX = (
    "小区|花园|家园|公寓|大厦|广场|新城|商城|学校|小学|中学|幼儿园|学院|医院|卫生院|市场|公园|廊桥|大桥|桥|"
    "大道|路|街|巷|工业园|产业园|工地|项目|楼盘|酒店|宾馆|公司|集团|厂|村|社区|苑|湾|府|站"
)
_PLACE_RE = re.compile(rf"([\u4e00-\u9fa5A-Za-z0-9]{{2,4}})(?={_PLACE_SUFFIX})({_PLACE_SUFFIX})")
_NOT_NAME = set("的了在是和与及对把被向从到给让请我你他她它们这那个有无不也都就还要会能可将已为于之而该本此每各某整其过走")
# Keys that name no particular place: government offices, "the road", "our estate".
_GENERIC_PLACES = frozenset(
    """市政府 县政府 区政府 省政府 镇政府 人民政府 马路 大马路 小马路 公路 道路 铁路 高速公路 公司 集团 工地 项目
    小区 社区 学校 医院 市场 公园 大道 街道 村 站 车站 全市 城市 开发商""".split()
)
_NOT_TOPIC = re.compile(r"[0-9a-z|]")  # anonymised codes, numbers, cut-out places
_GENERIC_ENDINGS = ("政府", "马路", "公路", "道路", "铁路")  # 市委市政府 → "委市政府" is no place
_STOPWORDS = frozenset(
    """我们 你们 他们 她们 自己 这个 那个 这些 那些 什么 怎么 为什么 如何 是否 可以 已经 因为 所以 但是 而且
    如果 没有 还是 就是 这样 那样 现在 目前 一直 一下 一些 问题 情况 反映 投诉 咨询 建议 请问 希望 要求 关于 有关
    部门 领导 政府 相关 进行 我们 严重 非常 特别 今年 去年 时间 由于 对于 以及 或者 并且 其中 通过 一个 两个
    您好 你好 谢谢 感谢 尊敬 市民 群众 老百姓 请求 恳请 解决 处理 落实 尽快 及时""".split()
)


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation and whitespace removed."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def shingles(norm: str, k: int = SHINGLE) -> list[bytes]:
    if len(norm) <= k:
        return [norm.encode()] if norm else []
    return list({norm[i : i + k].encode() for i in range(len(norm) - k + 1)})


def _crc(b: bytes) -> int:
    return zlib.crc32(b)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_crc, scheme="affine32")


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    a, b = _template().permutations
    return a.astype(np.uint32).reshape(1, -1), b.astype(np.uint32).reshape(1, -1)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme mixes input hashes."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signature(norm: str) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` × uint32) of the character shingles of ``norm``: the
    values of datasketch's ``MinHash(hashfunc=crc32, scheme="affine32")`` computed directly in
    numpy (a minimum needs no de-duplicated shingle set), three times faster."""
    k = SHINGLE
    if len(norm) <= k:
        if not norm:
            return _template().hashvalues.astype(np.uint32)
        hv = np.array([zlib.crc32(norm.encode())], dtype=np.uint32)
    else:
        crc = zlib.crc32
        hv = np.fromiter((crc(norm[i : i + k].encode()) for i in range(len(norm) - k + 1)),
                         dtype=np.uint32, count=len(norm) - k + 1)
    a, b = _permutations()
    with np.errstate(over="ignore"):
        return (_fmix32(hv).reshape(-1, 1) * a + b).min(axis=0)


def place_keys(norm: str) -> set[str]:
    """Place-like keys: 2–4 characters + a place suffix, trimmed of leading function words.

    The keys need only be consistent between two texts, not linguistically right: both
    "反对拆除五一桥" and "拆除五一桥来建" yield ``五一桥``.
    """
    keys: set[str] = set()
    for m in _PLACE_RE.finditer(norm):
        name, suffix = m.group(1), m.group(2)
        cut = max((i for i, ch in enumerate(name) if ch in _NOT_NAME), default=-1)
        name = name[cut + 1 :]
        if len(re.findall(r"[\u4e00-\u9fa5]", name)) >= 2:
            for key in (name[-2:] + suffix, name[-3:] + suffix if len(name) >= 3 else ""):
                if key and key not in _GENERIC_PLACES and not key.endswith(_GENERIC_ENDINGS):
                    keys.add(key)
    return keys


def topic_words(norm: str, places: set[str] | None = None) -> set[str]:
    """Content words (2+ characters, not stopwords, not anonymised codes, not place names)."""
    text = norm
    for p in sorted(places or (), key=len, reverse=True):
        text = text.replace(p, "|")
    bad = _NOT_TOPIC.search
    return {w for w in rjieba.cut(text) if len(w) >= 2 and w not in _STOPWORDS and not bad(w)}


def stable_hash(value: str) -> int:
    """A 63-bit non-negative hash that is the same in every process (0 is never returned)."""
    h = zlib.crc32(value.encode()) << 31 ^ zlib.adler32(value.encode())
    return (h & 0x7FFFFFFFFFFFFFFF) or 1


def hashes32(values) -> np.ndarray:
    return np.array(sorted({zlib.crc32(v.encode()) for v in values}), dtype=np.uint32)


def jaccard_sorted(a: np.ndarray, b: np.ndarray, smoothing: float = 0.0) -> float:
    """Jaccard of two sorted unique arrays; ``smoothing`` is added to the union so that two
    tiny sets ("路灯", "不亮") do not look identical."""
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter + smoothing)


def address_key(address: str | None) -> int:
    """Hash of a normalised address, 0 when there is none."""
    norm = normalise(address or "")
    return stable_hash(norm) if len(norm) >= 4 else 0


@dataclass(frozen=True)
class ItemFeatures:
    """Everything the index keeps of one text: computed once, stored (``pack``) so a rebuilt
    index need not recompute them."""

    sig: np.ndarray  # NUM_PERM × uint32
    topics: np.ndarray  # sorted unique CRC32 of the topic words
    places: tuple[str, ...]  # place keys
    caller: int  # stable_hash of the caller, 0 when none
    address: int  # address_key, 0 when none


def item_features(text: str, caller=None, address: str | None = None) -> ItemFeatures:
    norm = normalise(text)
    places = place_keys(norm)
    return ItemFeatures(sig=signature(norm), topics=hashes32(topic_words(norm, places)), places=tuple(sorted(places)),
                        caller=stable_hash(str(caller)) if caller else 0, address=address_key(address))


_PACK_HEAD = struct.Struct("<2sqqHH")
_PACK_TAG = b"F1"


def pack(f: ItemFeatures) -> bytes:
    """About 300–400 bytes: header, signature, topic hashes, place keys (UTF-8)."""
    names = "\x1f".join(f.places).encode()
    return (_PACK_HEAD.pack(_PACK_TAG, f.caller, f.address, len(f.topics), len(names))
            + f.sig.astype("<u4").tobytes() + f.topics.astype("<u4").tobytes() + names)


def unpack(blob: bytes) -> ItemFeatures:
    """Raises ``ValueError`` on a blob that is not ``pack``'s."""
    blob = bytes(blob)
    if len(blob) < _PACK_HEAD.size or blob[:2] != _PACK_TAG:
        raise ValueError("not packed item features")
    _tag, caller, address, n_topics, n_names = _PACK_HEAD.unpack_from(blob)
    pos = _PACK_HEAD.size
    end = pos + 4 * NUM_PERM + 4 * n_topics + n_names
    if len(blob) != end:
        raise ValueError("packed item features of the wrong length")
    sig = np.frombuffer(blob, dtype="<u4", count=NUM_PERM, offset=pos).astype(np.uint32)
    pos += 4 * NUM_PERM
    topics = np.frombuffer(blob, dtype="<u4", count=n_topics, offset=pos).astype(np.uint32)
    names = blob[pos + 4 * n_topics :].decode()
    return ItemFeatures(sig=sig, topics=topics, places=tuple(names.split("\x1f")) if names else (),
                        caller=caller, address=address)
