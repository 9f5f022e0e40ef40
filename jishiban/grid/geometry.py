"""Checks of a grid GeoJSON file (pure: shapely, no Django).

``check(features, known)`` returns every problem, each naming the grid it is about, in Chinese;
the import writes nothing unless the list is empty. ``known`` tells what the database holds:
community codes (with their town), town boundaries and the other grids of each community.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from .codes import community_code_of, split_grid_code

# Areas below this share of the smaller grid are drawing noise on a shared border, not overlap.
OVERLAP_SHARE = 1e-4
# Degrees a grid may stick out of its town (about 10 m): towns and grids are drawn separately.
TOWN_TOLERANCE = 1e-4


@dataclass
class Known:
    communities: Mapping[str, str] = field(default_factory=dict)  # community code → town code
    towns: frozenset[str] = frozenset()
    town_boundaries: Mapping[str, dict] = field(default_factory=dict)  # town code → GeoJSON geometry
    grids: Mapping[str, tuple[str, dict]] = field(default_factory=dict)  # grid code → (community, geometry)


@dataclass
class Parsed:
    code: str
    name: str
    community: str
    community_name: str
    town: str
    geometry: dict
    properties: dict


def _rings(geometry: dict):
    coords = geometry.get("coordinates") or []
    polys = [coords] if geometry.get("type") == "Polygon" else coords if geometry.get("type") == "MultiPolygon" else []
    for poly in polys:
        yield from poly or []


def _ring_problem(geometry: dict) -> str | None:
    for n, ring in enumerate(_rings(geometry), start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            return f"第 {n} 个环少于 4 个点"
        if list(ring[0]) != list(ring[-1]):
            return f"第 {n} 个环未闭合（首点 {ring[0]} 与末点 {ring[-1]} 不同）"
    return None


def check(data: Mapping, known: Known) -> tuple[list[Parsed], list[str]]:
    """(grids, problems) of a FeatureCollection; grids is meaningful only when problems is empty."""
    problems: list[str] = []
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        return [], ["文件不是 GeoJSON FeatureCollection"]
    parsed: list[Parsed] = []
    shapes: dict[str, object] = {}
    seen: set[str] = set()
    for index, feature in enumerate(data.get("features") or [], start=1):
        props = dict((feature or {}).get("properties") or {})
        code = str(props.get("code") or "").strip()
        label = f"网格 {code}" if code else f"第 {index} 个要素"
        if not code:
            problems.append(f"{label}：缺少网格编码 code")
            continue
        if code in seen:
            problems.append(f"{label}：编码在文件中重复")
            continue
        seen.add(code)
        if split_grid_code(code) is None:
            problems.append(f"{label}：编码不符合“县(6)+街道(3)+社区(3)+序号(3)”的 15 位规则")
            continue
        community = str(props.get("community") or community_code_of(code))
        town = community[:9]
        if community_code_of(code) != community:
            problems.append(f"{label}：编码与所属社区 {community} 不一致")
            continue
        if community not in known.communities and not (props.get("community_name") and town in known.towns):
            problems.append(f"{label}：未知的上级社区/村 {community}" + ("" if town in known.towns else f"（乡镇街道 {town} 也不存在）"))
            continue
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(f"{label}：边界须为 Polygon 或 MultiPolygon")
            continue
        ring = _ring_problem(geometry)
        if ring:
            problems.append(f"{label}：{ring}")
            continue
        try:
            geom = shape(geometry)
        except Exception as exc:  # noqa: BLE001 - any malformed coordinate list is the file's problem
            problems.append(f"{label}：坐标无法解析（{exc}）")
            continue
        if geom.is_empty or not geom.is_valid:
            reason = explain_validity(geom)
            why = "边界自相交" if "Self-intersection" in reason or "Ring Self" in reason else "边界无效"
            problems.append(f"{label}：{why}（{reason}）")
            continue
        shapes[code] = geom
        parsed.append(Parsed(code, str(props.get("name") or code), community, str(props.get("community_name") or ""),
                             town, geometry, props))
    problems += _outside_towns(parsed, shapes, known)
    problems += _overlaps(parsed, shapes, known)
    return parsed, problems


def _outside_towns(parsed: list[Parsed], shapes: dict, known: Known) -> list[str]:
    out = []
    boundaries = {}
    for p in parsed:
        if p.town not in known.town_boundaries:
            continue
        if p.town not in boundaries:
            boundaries[p.town] = shape(known.town_boundaries[p.town]).buffer(TOWN_TOLERANCE)
        if not boundaries[p.town].covers(shapes[p.code]):
            out.append(f"网格 {p.code}：超出所属乡镇街道 {p.town} 的边界")
    return out


def _overlaps(parsed: list[Parsed], shapes: dict, known: Known) -> list[str]:
    """Grids of one community overlapping each other, in the file or with stored ones it keeps."""
    codes = [p.code for p in parsed]
    community = {p.code: p.community for p in parsed}
    geoms = [shapes[c] for c in codes]
    for code, (comm, geometry) in known.grids.items():
        if code in shapes:
            continue  # replaced by the file
        try:
            geoms.append(shape(geometry))
        except Exception:  # noqa: BLE001,S112 - an unusable stored boundary cannot overlap anything
            continue
        codes.append(code)
        community[code] = comm
    if len(geoms) < 2:
        return []
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    out, done = [], set()
    in_file = set(shapes)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = codes[i], codes[j]
        if i >= j or community[a] != community[b] or (a not in in_file and b not in in_file) or (a, b) in done:
            continue
        shared = shapely.intersection(geoms[i], geoms[j]).area
        if shared > OVERLAP_SHARE * min(geoms[i].area, geoms[j].area):
            done.add((a, b))
            out.append(f"网格 {a} 与网格 {b} 在社区 {community[a]} 内重叠")
    return out
