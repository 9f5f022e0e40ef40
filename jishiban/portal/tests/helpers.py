"""Shared pieces of the portal's tests: a real picture, a filled-in form, following a code."""

from __future__ import annotations

import io
import re
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def picture(name: str = "photo.png", fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_data(**overrides) -> dict:
    data = {
        "key": uuid.uuid4().hex, "appeal_type": "complaint",
        "content": "小区门口的路灯坏了一个多月，晚上很黑，老人出门容易摔倒",
        "address": "任城区古槐街道某小区东门", "county": "370811", "town": "",
        "name": "李四", "phone": "13912340000", "publish": "on", "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def code_on(page: str) -> str:
    found = re.search(r"data-code>([0-9A-Z]{5}-[0-9A-Z]{5})<", page)
    assert found, "the query code is on the page"
    return found.group(1)


def hand_in(client, **overrides):
    """Submit the form; return (appeal, code)."""
    from jishiban.appeals.models import Appeal

    data = form_data(**overrides)
    response = client.post("/portal/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    return Appeal.objects.get(external_id=data["key"]), code_on(page)
