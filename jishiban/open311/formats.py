"""The two wire formats of GeoReport v2: the same Python data as JSON or as XML.

Pure Python. Views build plain dicts and lists; ``render`` writes them in the requested format:

* a list of dicts becomes a JSON array, or ``<root><item>…</item>…</root>`` in XML;
* a dict becomes a JSON object, or ``<root>…</root>`` with one element per key;
* a list inside an item becomes ``<attributes><attribute>…`` (the element names come from
  ``PLURALS``), ``None`` an empty element, booleans ``true`` / ``false``.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring  # noqa: S405  (we only write XML)

from jishiban.core.xmltext import xml_safe

JSON = "json"
XML = "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}

PLURALS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(moment: datetime | None, tz=None) -> str | None:
    """``2026-11-27T09:30:00+08:00`` (W3C date-time, whole seconds) in ``tz``; ``None`` stays ``None``."""
    if moment is None:
        return None
    if tz is not None:
        moment = moment.astimezone(tz)
    return moment.replace(microsecond=0).isoformat()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def _fill(parent: Element, key: str, value) -> None:
    if isinstance(value, list):
        holder = SubElement(parent, key)
        child = PLURALS.get(key, "item")
        for item in value:
            if isinstance(item, dict):
                _fill_dict(SubElement(holder, child), item)
            else:
                SubElement(holder, child).text = _text(item)
    elif isinstance(value, dict):
        _fill_dict(SubElement(parent, key), value)
    else:
        SubElement(parent, key).text = _text(value)


def _fill_dict(element: Element, data: dict) -> None:
    for key, value in data.items():
        _fill(element, key, value)


def to_xml(root: str, data, item: str | None = None) -> bytes:
    element = Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill_dict(SubElement(element, item or PLURALS.get(root, "item")), entry)
    else:
        _fill_dict(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode("utf-8")


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return w3c(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, data, item: str | None = None) -> bytes:
    """``data`` as ``fmt`` (``json`` or ``xml``); ``root`` / ``item`` name the XML elements."""
    return to_json(data) if fmt == JSON else to_xml(root, data, item)
