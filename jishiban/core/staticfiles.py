"""Static files in production: served by WhiteNoise from gunicorn itself, compressed, with
content-hashed names that browsers may keep for a year (docs/adr/0003-static-files.md).

``VendorFinder`` offers the few files the pages use from the npm packages (``package.json``), not
the whole of ``node_modules`` (ECharts' ``dist`` alone is 49 MB of other builds and maps).
``StaticStorage`` is WhiteNoise's compressed manifest storage; before ``collectstatic`` has ever
run it gives the plain names, which WhiteNoise then serves from the finders, so a page never fails
for a missing manifest.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

PREFIX = "vendor"
# The files the templates load, relative to node_modules (and served under static/vendor/).
VENDOR_FILES = ("echarts/dist/echarts.min.js", "htmx.org/dist/htmx.min.js")


def _node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=_node_modules())
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        missing = [name for name in VENDOR_FILES if not (_node_modules() / name).is_file()]
        return [CheckWarning(f"node_modules 里缺少 {', '.join(missing)}：请先运行 make setup（npm ci）",
                             id="jishiban.W010")] if missing else []

    def find(self, path, find_all=False, **kwargs):
        name = path[len(PREFIX) + 1:] if path.startswith(PREFIX + "/") else None
        found = str(_node_modules() / name) if name in VENDOR_FILES and (_node_modules() / name).is_file() else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        for name in VENDOR_FILES:
            if (_node_modules() / name).is_file():
                yield name, self.storage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names once collected; the plain name for a file that was never collected
    (no manifest yet, or a file added since the last run): never an error on a page."""

    manifest_strict = False
    _collecting = False

    def post_process(self, *args, **kwargs):
        self._collecting = True  # while collecting, a missing file is an error as usual
        try:
            yield from super().post_process(*args, **kwargs)
        finally:
            self._collecting = False

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if self._collecting or content is not None:
                raise
            return name


def _manifest() -> Path:
    return Path(settings.STATIC_ROOT) / StaticStorage.manifest_name


def sources_fingerprint() -> str:
    """Every source file's served path, size and modification time, and the storage that
    collects them: what a collectstatic run would start from (with its ignore patterns)."""
    from django.apps import apps
    from django.contrib.staticfiles.finders import get_finders

    ignore = apps.get_app_config("staticfiles").ignore_patterns
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    rows = []
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            info = os.stat(storage.path(path))
            rows.append(f"{getattr(storage, 'prefix', None) or ''}/{path}\0{info.st_size}\0{info.st_mtime_ns}")
    for row in sorted(rows):
        digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def collect() -> bool:
    """``collectstatic`` unless ``STATIC_ROOT`` already holds the files of these very sources (a
    fingerprint kept beside the manifest). Re-hashing every file costs about 2.5 s on each start
    otherwise. True when it collected."""
    from django.core.management import call_command

    stamp = Path(settings.STATIC_ROOT) / ".sources"
    fingerprint = sources_fingerprint()
    if _manifest().exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)
    return True


@register(deploy=True)
def static_files_collected(app_configs=None, **kwargs):
    """``check --deploy``: the manifest exists, so pages name hashed, compressed files."""
    if _manifest().exists():
        return []
    return [CheckWarning(f"{_manifest()} 不存在：请运行 jishiban collectstatic --noinput（gunicorn 启动时也会自动运行）",
                         id="jishiban.W011")]
