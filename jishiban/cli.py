"""The ``jishiban`` console script: ``jishiban <command>`` runs any management command.

A configuration the command cannot run with ends in one line on stderr that names the variable
and how to set it, and exit status 2 — never a traceback:

- a bad environment value (``jishiban.env`` and the settings name the variable);
- no ``SECRET_KEY``: the commands that serve or run jobs (``SERVING``) refuse at once; any other
  command runs without one until something needs to sign (Django refuses an empty key then);
- a database that cannot be reached, or one that has no tables yet (``jishiban migrate``).

Without ``DATABASE_URL`` a command uses ``var/jishiban.sqlite3`` of the checkout (``VAR_DIR``),
the database ``make run`` fills with the demo.
"""

from __future__ import annotations

import os
import sys

SECRET_KEY_HINT = ("set SECRET_KEY to 50 or more random characters, e.g. "  # noqa: S105 - how to set it, no key
                   "export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\" "
                   "(the demo, JISHIBAN_DEMO=1, makes its own)")
SECRET_KEY_MISSING = f"SECRET_KEY is not set: {SECRET_KEY_HINT}"
# Commands that sign sessions, links or stored models from their first moment.
SERVING = frozenset({"serve", "runserver", "qcluster", "classifier"})
EXIT_CONFIGURATION = 2


def require_secret_key() -> None:
    """Raise ``ImproperlyConfigured`` naming the variable unless a secret key is configured."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured(SECRET_KEY_MISSING)


def database_label() -> str:
    """Which database the settings point at, without any password."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('NAME', '')} on {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


def configuration_problem(exc: BaseException) -> str | None:
    """The one line to print for ``exc`` when it is a configuration problem, else None."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, OperationalError

    if isinstance(exc, ImproperlyConfigured):
        message = str(exc)
        if "SECRET_KEY" in message and "must not be empty" in message:
            message = SECRET_KEY_MISSING
        return f"jishiban: 配置错误：{message}（README → Configuration）"
    if not isinstance(exc, DatabaseError):
        return None
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return (f"jishiban: 数据库尚未建表（{database_label()}）：先运行 jishiban migrate 或 jishiban setup，"
                f"或用 DATABASE_URL 指向已有的数据库（{text}）")
    if isinstance(exc, OperationalError) and any(word in lowered for word in (
            "connect", "unable to open", "does not exist", "password authentication", "timeout")):
        return f"jishiban: 无法连接数据库（{database_label()}）：检查 DATABASE_URL（{text}）"
    return None


def _fail(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_CONFIGURATION)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
    import django
    from django.core.management import execute_from_command_line

    try:
        django.setup()
        if argv and argv[0] in SERVING:
            require_secret_key()
        execute_from_command_line(["jishiban", *argv])
    except Exception as exc:
        line = configuration_problem(exc)
        if line is None:
            raise
        _fail(line)


if __name__ == "__main__":
    main()
