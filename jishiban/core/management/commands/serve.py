"""Serve the web application together with a background-job worker (django-q2 cluster).

For the demo and small installations; production runs a WSGI server and ``qcluster`` as
separate services.
"""

import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站和后台任务进程（演示与小型部署用）"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, port, host, no_worker, **options):
        # A stop signal (systemd, docker, kill) ends the server like Ctrl-C, so the worker below
        # is stopped too instead of being left running on its own.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "jishiban.cli", "qcluster"])
        try:
            from jishiban.core.staticfiles import collect
            from jishiban.core.warmup import warm_up

            collect()  # the pages name hashed, compressed static files that WhiteNoise serves, as under gunicorn
            warm_up()  # runserver answers in this process: its first pages come from warm caches
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_static_handler=False)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
