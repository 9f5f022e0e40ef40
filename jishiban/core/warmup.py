"""Work a web process would otherwise do on its first requests, done when it starts.

A fresh worker imports the URLconf (and with it the API, smart help, scikit-learn), compiles
each template on first use, loads pypinyin's tables and builds the dispatch picker's unit index
(about 5 s), loads the active classifier, builds the address resolver, the grid index and the
city map's town shapes (about 4 s at 20,000 grids), and builds smart help's duplicate index over
the last months of appeals. Without a warm-up the
first users of every worker wait for all of it. ``warm_up()`` does it at start: gunicorn's
``post_worker_init`` (``jishiban/gunicorn_conf.py``) and ``jishiban serve`` call it.

Every step is optional: a step that fails (an empty or unmigrated database, a database that
cannot be reached, no trained model) is logged and left to the first request, as before, and
the process starts anyway. Nothing here changes what the caches hold or how they are
invalidated; it only fills them earlier. The duplicate index, whose build grows with the number
of recent appeals, is built in a background thread so the worker answers at once (a request
that needs it meanwhile waits for the build, as it would have built it itself).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

log = logging.getLogger("jishiban.warmup")

_SAMPLE = "济宁市任城区某小区停水三天，请尽快恢复供水"


def _urls() -> None:
    from django.urls import get_resolver, reverse

    get_resolver().url_patterns  # noqa: B018 - imports every URL module (views, the API, smart help)
    reverse("web:appeal_list")  # builds the reverse tables


def _models() -> None:
    from django.apps import apps

    for model in apps.get_models():  # the relation trees and field maps the ORM builds on first use
        model._meta.get_fields()
        model._meta.fields_map  # noqa: B018
        model._meta._forward_fields_map  # noqa: B018


def _translations() -> None:
    from django.conf import settings
    from django.utils.translation import trans_real

    for code, _name in settings.LANGUAGES:  # every app's catalogue, merged once per language
        trans_real.translation(code)


def project_templates() -> list[str]:
    """The names of the project's own templates (every app's ``templates`` folder)."""
    import jishiban

    names = []
    for folder in sorted(Path(jishiban.__file__).parent.glob("*/templates")):
        names += sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix in {".html", ".txt", ".xml"})
    return names


def _templates() -> None:
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    for name in project_templates():  # the cached loader keeps each compiled template
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:  # shadowed or not a Django template
            log.debug("warm-up: template %s not compiled: %s", name, exc)


def _pinyin() -> None:
    from jishiban.organisations.search import pinyin_forms

    pinyin_forms("济宁市住房和城乡建设局")  # loads pypinyin's phrase tables (seconds), no database needed


def _geocoder() -> None:
    from jishiban.smart.geocode import resolve

    resolve("济宁市任城区古槐街道")  # the default resolver: gazetteer, aliases, landmarks, homophones


def _unit_index() -> None:
    from jishiban.organisations.selectors import UNIT_INDEX

    UNIT_INDEX.get("units")


def _grid_index() -> None:
    from jishiban.smart.geocode_db import grid_index

    grid_index()


def _city_map() -> None:
    from jishiban.grid.mapshapes import warm_city

    warm_city()


def _classifier() -> None:
    from jishiban.smart.category_suggestions import Unavailable, suggest_categories

    try:
        suggest_categories(_SAMPLE)
    except Unavailable as exc:  # no model trained yet: nothing to load
        log.info("warm-up: no category suggestions: %s", exc)


def _risk_rules() -> None:
    from jishiban.smart.risk import assess

    assess(_SAMPLE)


def _calendar() -> None:
    from jishiban.sla.services import get_calendar

    get_calendar()


# (name, step, needs the database)
STEPS = (
    ("urls", _urls, False),
    ("models", _models, False),
    ("translations", _translations, False),
    ("templates", _templates, False),
    ("pinyin", _pinyin, False),
    ("geocoder", _geocoder, False),
    ("unit index", _unit_index, True),
    ("grid index", _grid_index, True),
    ("city map", _city_map, True),
    ("classifier", _classifier, True),
    ("risk rules", _risk_rules, True),
    ("calendar", _calendar, True),
)


def _database_answers() -> bool:
    from django.db import connection

    try:
        connection.ensure_connection()
        return True
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: skip the database's steps
        log.warning("warm-up: the database cannot be reached (%s: %s); its caches fill on first use",
                    type(exc).__name__, exc)
        return False


def _duplicate_index() -> None:
    from django.db import connections

    from jishiban.smart.dedupe_db import live_index

    started = time.perf_counter()
    try:
        live_index().ensure()
        log.info("warm-up: duplicate index ready in %.1f s", time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - the first lookup builds it instead
        log.warning("warm-up: duplicate index not built (%s: %s)", type(exc).__name__, exc)
    finally:
        connections.close_all()  # this thread's connections


def _close_connections() -> None:
    """Close this thread's database connections, except one inside a transaction (a caller that
    warms up within ``atomic``, such as a test, keeps its connection)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def warm_up(*, duplicates: bool = True) -> dict[str, float | str]:
    """Fill this process's caches (see the module's text); never raises. Returns each step's
    seconds, or why it failed or was skipped. ``duplicates`` starts the duplicate index's
    build in a background thread."""

    done: dict[str, float | str] = {}
    started = time.perf_counter()
    database = None
    for name, step, needs_database in STEPS:
        if needs_database:
            database = _database_answers() if database is None else database
            if not database:
                done[name] = "skipped: no database"
                continue
        at = time.perf_counter()
        try:
            step()
            done[name] = round(time.perf_counter() - at, 3)
        except Exception as exc:  # noqa: BLE001 - a cold cache is no reason to refuse to start
            done[name] = f"failed: {type(exc).__name__}: {exc}"
            log.warning("warm-up: %s failed (%s: %s); it is done on first use instead", name, type(exc).__name__, exc)
    _close_connections()  # requests run in other threads, with their own connections
    if duplicates and database:
        threading.Thread(target=_duplicate_index, name="warm-up duplicates", daemon=True).start()
        done["duplicate index"] = "building in the background"
    log.info("warm-up done in %.1f s: %s", time.perf_counter() - started, done)
    return done
