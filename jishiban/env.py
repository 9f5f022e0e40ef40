"""Typed readers for settings taken from the environment.

Each reader fails loudly (``ImproperlyConfigured``) on a value it cannot parse,
naming the variable, so a typo in a deployment never turns into a silent default.
"""

from __future__ import annotations

import os
import zoneinfo
from datetime import date

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}")
    return number


def env_timezone(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known time zone (e.g. Asia/Shanghai)")
    return value


def env_date(name: str, default: str) -> date:
    value = os.environ.get(name, default)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a date (use 2000-01-01)")


def env_database(name: str, default: str) -> dict:
    import dj_database_url

    value = os.environ.get(name, default)
    try:
        config = dj_database_url.parse(value, conn_max_age=60)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a database URL: {exc}")
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{name}: only sqlite:// and postgres:// are supported, got {engine!r}")
    if engine == "django.db.backends.sqlite3":
        name = str(config.get("NAME") or "")
        if name and name != ":memory:" and not name.startswith("file:"):
            os.makedirs(os.path.dirname(os.path.abspath(name)), exist_ok=True)
        # WAL lets readers (the web) work while a writer (an import, a job) commits;
        # IMMEDIATE takes the write lock at BEGIN so concurrent writers queue instead of failing.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        # The pages read an appeal with its channel, regions, category and units in one query of
        # eight or more LEFT JOINs on primary keys. PostgreSQL's planner tries every join order up
        # to join_collapse_limit (8): 10–30 ms of planning for a query that runs in 1 ms. Joining
        # in the written order, four tables at a time, plans in about 1 ms and finds the same plan
        # (the appeal first, then each related row by its key); docs/benchmarks.md has the figures.
        limit = env_int("JISHIBAN_PG_JOIN_COLLAPSE_LIMIT", 4, minimum=1)
        options = dict(config.get("OPTIONS") or {})
        extra = f"-c join_collapse_limit={limit} -c from_collapse_limit={limit}"
        options["options"] = f"{options['options']} {extra}" if options.get("options") else extra
        config["OPTIONS"] = options
    return config
