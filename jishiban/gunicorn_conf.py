"""gunicorn settings for serving jishiban in production (and in the load benchmarks):

    gunicorn -c python:jishiban.gunicorn_conf jishiban.wsgi:application

One worker process per core, each with a few threads (gthread: keep-alive connections, and a
thread waiting on the database does not hold a core). Few threads per process keeps the time a
thread waits for Python's GIL short, which matters because SQLite holds its write lock for
that time too. Every value can be overridden on the command line or by GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("JISHIBAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 60
# Restart a worker now and then (with jitter so they do not restart together).
max_requests = 20000
max_requests_jitter = 2000
# One line per request on stdout; JISHIBAN_ACCESS_LOG="" turns it off (the proxy in front logs).
accesslog = os.environ.get("JISHIBAN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = "warning"


def on_starting(server):
    """Collect the static files (hashed names, gzip) before any worker starts: WhiteNoise serves
    them from ``STATIC_ROOT``. Skipped when the sources are those of the last run; a failure is
    logged, not fatal (the pages then name the plain files, which WhiteNoise serves from the finders)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
    try:
        django.setup()
        from jishiban.core.staticfiles import collect

        collect()
    except Exception:  # noqa: BLE001 — serving without compressed files beats not serving
        server.log.exception("collectstatic failed; static files come from the finders")


def post_worker_init(worker):
    """Fill the worker's caches before it takes requests (``jishiban.core.warmup``); never fails."""
    from jishiban.core.warmup import warm_up

    warm_up()
