"""Static files as production serves them: gunicorn with WhiteNoise, names hashed by collectstatic
(run when gunicorn starts), gzip, a year's caching; and pages that never fail before the files
were collected. Before this, gunicorn answered 404 for every script and style sheet."""

from __future__ import annotations

import gzip
import http.client
import re

from django.core.management import call_command

from jishiban.core.staticfiles import VENDOR_FILES, StaticStorage, VendorFinder

from .processes import free_port, gunicorn, wait_until_up

ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"]+)"')


def _get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_gunicorn_serves_every_script_and_style_sheet_of_the_pages_hashed_compressed_and_cached(scratch, tmp_path):
    port = free_port()
    server = gunicorn(scratch, port, tmp_path / "web.log").start()
    try:
        wait_until_up(port, server, timeout=90)
        assets = set()
        for page in ("/portal/", "/accounts/login/"):
            status, _headers, body = _get(port, page)
            assert status == 200, page
            assets |= set(ASSET.findall(body.decode()))
        assert any("/vendor/echarts/dist/echarts.min." in a for a in assets), assets
        assert any("/vendor/htmx.org/dist/htmx.min." in a for a in assets), assets
        for path in sorted(assets):
            status, headers, body = _get(port, path, **{"Accept-Encoding": "gzip"})
            assert status == 200, path
            assert re.search(r"\.[0-9a-f]{12}\.(js|css)$", path), f"{path} is not a collected, hashed name"
            assert "immutable" in headers.get("cache-control", ""), (path, headers)
            if headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            assert body, path
        status, headers, body = _get(port, next(a for a in assets if "echarts.min." in a), **{"Accept-Encoding": "gzip"})
        assert headers["content-encoding"] == "gzip" and len(body) < 450_000  # about 1 MB uncompressed
        # Only the files the pages use leave node_modules.
        assert _get(port, "/static/vendor/echarts/package.json")[0] == 404
        assert _get(port, "/static/vendor/echarts/dist/echarts.js")[0] == 404
    finally:
        server.stop()


def test_before_collectstatic_the_storage_names_the_plain_file_and_after_it_the_hashed_one(tmp_path):
    storage = StaticStorage(location=tmp_path, base_url="/static/")
    assert storage.url("web/workbench.css") == "/static/web/workbench.css"
    assert storage.url("vendor/echarts/dist/echarts.min.js") == "/static/vendor/echarts/dist/echarts.min.js"


def test_collectstatic_hashes_and_compresses_the_vendor_files(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "jishiban.core.staticfiles.StaticStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    for name in VENDOR_FILES:
        folder = tmp_path / "vendor" / name.rsplit("/", 1)[0]
        stem = name.rsplit("/", 1)[1].removesuffix(".js")
        assert list(folder.glob(f"{stem}.*.js")) and list(folder.glob(f"{stem}.*.js.gz")), sorted(folder.iterdir())
    storage = StaticStorage(location=tmp_path, base_url="/static/")
    assert re.fullmatch(r"/static/web/workbench\.[0-9a-f]{12}\.css", storage.url("web/workbench.css"))


def test_the_vendor_finder_offers_only_the_files_the_pages_use():
    finder = VendorFinder()
    assert sorted(path for path, _storage in finder.list(None)) == sorted(VENDOR_FILES)
    assert finder.find("vendor/echarts/dist/echarts.min.js").endswith("node_modules/echarts/dist/echarts.min.js")
    assert finder.find("vendor/echarts/package.json") is None
    assert finder.find("vendor/echarts/dist/echarts.min.js", find_all=True)
    assert finder.check() == []


def test_collect_runs_again_only_when_a_source_changed(tmp_path, settings):
    from jishiban.core.staticfiles import collect

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.css").write_text("body { color: #111; }\n")
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STATICFILES_DIRS = [("extra", str(extra))]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "jishiban.core.staticfiles.StaticStorage"}}
    assert collect() is True  # nothing collected yet
    assert collect() is False  # the same sources: the manifest and the files are kept
    (extra / "note.css").write_text("body { color: #222; }\n")  # another size: a changed source
    assert collect() is True
    storage = StaticStorage(location=settings.STATIC_ROOT, base_url="/static/")
    hashed = storage.url("extra/note.css").removeprefix("/static/")
    assert (settings.STATIC_ROOT / hashed).read_text() == "body { color: #222; }\n"
    (settings.STATIC_ROOT / "staticfiles.json").unlink()
    assert collect() is True  # a lost manifest is collected again whatever the fingerprint says
