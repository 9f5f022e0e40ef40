"""A small pre-fork WSGI server for the Open311 benchmark when gunicorn is not installed.

    python bench/_open311_server.py --port 8311 --processes 2

Starts N processes, each a threaded HTTP/1.1 server (Django's runserver handler, keep-alive)
on the same 127.0.0.1 port with SO_REUSEPORT, so the kernel spreads connections over them
and the GIL of one process is not the limit. Settings come from the environment, as for
``manage.py``. Stop it by signalling its process group.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socketserver
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def serve(port: int) -> None:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True
        allow_reuse_port = True

    logging.getLogger("django.server").setLevel(logging.WARNING)
    server = Server(("127.0.0.1", port), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve(args.port)
        return
    children = [subprocess.Popen([sys.executable, __file__, "--port", str(args.port), "--child"])
                for _ in range(args.processes)]

    def stop(*_args):
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.wait()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
    main()
