"""CPU time per request of each kind of ``mixed_http.py``'s mix, in one process (not a benchmark
that ``make bench`` runs: it needs the database ``mixed_http.py`` prepares).

    .venv/bin/python bench/_mixed_cpu.py --pg postgres://…/db [--prepare] [--n 40] [--profile web_list]

Each kind's request goes through Django's whole handler (middleware, views, templates) with the
production settings; the figure is the thread's CPU time (``time.thread_time``) around each
request, so the database server's work and other processes' load do not count. ``--prepare``
drops, recreates and seeds the database as ``mixed_http.py`` does; without it the database
must hold that seed. ``--profile KIND`` prints the most expensive functions of that kind
(cProfile, cumulative and own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
KINDS = ["intake", "api_list", "web_list", "api_detail", "web_detail", "dispatch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="PostgreSQL URL of the database to use")
    parser.add_argument("--prepare", action="store_true", help="drop, recreate and seed it first")
    parser.add_argument("--appeals", type=int, default=20000)
    parser.add_argument("--n", type=int, default=40, help="measured requests per kind (after 5 unmeasured)")
    parser.add_argument("--profile", choices=KINDS, action="append", default=[])
    args = parser.parse_args()
    import mixed_http

    env = {"SECRET_KEY": mixed_http.SECRET, "DJANGO_SETTINGS_MODULE": "jishiban.settings", "DATABASE_URL": args.pg,
           "JISHIBAN_ACCESS_LOG": ""}
    if args.prepare:
        name, admin = args.pg.rsplit("/", 1)[1], args.pg.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        mixed_http.prepare({**os.environ, **env, "PYTHONPATH": str(ROOT)}, args.appeals)
    os.environ.update(env)
    os.environ.pop("Q_SYNC", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from jishiban.accounts.models import User
    from jishiban.api.tokens import create_token
    from jishiban.appeals.models import Appeal

    operator, dispatcher = (User.objects.get(username=n) for n in ("bench-operator", "bench-dispatcher"))
    api_op = {"Authorization": f"Bearer {create_token(operator, name='cpu')[1]}"}
    api_disp = {"Authorization": f"Bearer {create_token(dispatcher, name='cpu')[1]}"}
    web = Client()
    web.force_login(dispatcher)
    api = Client()
    stock = list(Appeal.objects.filter(status="received", external_id__startswith="STOCK-")
                 .order_by("-pk").values_list("pk", "number", "version"))
    reads, actions = stock[: len(stock) // 2], stock[len(stock) // 2:]
    run = f"cpu-{os.getpid()}"

    def request(kind: str, i: int):
        pk, number, _version = reads[(i * 7919) % len(reads)]
        if kind == "intake":
            body = {"channel": "12345-web", "external_id": f"MIX-{run}-{i}", "title": "路灯不亮",
                    "content": f"某小区{i % 300}号楼前路灯不亮已经{1 + i % 9}天，夜间出行不安全",
                    "citizen": {"name": "张先生", "phone": f"139{i:08d}"},
                    "location": {"county": "370811", "address": f"任城区某路{i % 500}号"}, "category": "030201"}
            return api.post("/api/v1/appeals", json.dumps(body, ensure_ascii=False), content_type="application/json",
                            headers=api_op), 201
        if kind == "api_list":
            return api.get(f"/api/v1/appeals?page={1 + i % 25}", headers=api_disp), 200
        if kind == "web_list":
            return web.get("/appeals/?status=received"), 200
        if kind == "api_detail":
            return api.get(f"/api/v1/appeals/{number}", headers=api_disp), 200
        if kind == "web_detail":
            return web.get(f"/appeals/{pk}/"), 200
        _pk, number, version = actions.pop()
        return api.post(f"/api/v1/appeals/{number}/actions/dispatch",
                        json.dumps({"expected_version": version, "lead_unit": "city-water"}),
                        content_type="application/json", headers=api_disp), 200

    out = {}
    for kind in KINDS:
        for i in range(5):
            response, expected = request(kind, 10_000 + i)
            assert response.status_code == expected, (kind, response.status_code, response.content[:300])
        cpu, wall = [], []
        for i in range(args.n):
            c0, w0 = time.thread_time(), time.perf_counter()
            response, expected = request(kind, i)
            cpu.append((time.thread_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            assert response.status_code == expected, (kind, response.status_code, response.content[:300])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            request(kind, 30_000)
        out[kind] = {"queries": len(queries), "cpu_ms_median": round(statistics.median(cpu), 2), "cpu_ms_mean": round(statistics.mean(cpu), 2),
                     "wall_ms_median": round(statistics.median(wall), 2)}
        if kind in args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for i in range(args.n):
                request(kind, 20_000 + i)
            profile.disable()
            text = io.StringIO()
            stats = pstats.Stats(profile, stream=text)
            stats.sort_stats("cumulative").print_stats("jishiban/", 40)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(30)
            print(text.getvalue(), file=sys.stderr)
    mix = {"intake": 6, "api_list": 4, "web_list": 2, "api_detail": 3, "web_detail": 2, "dispatch": 3}
    weighted = sum(out[k]["cpu_ms_mean"] * w for k, w in mix.items()) / sum(mix.values())
    print(json.dumps({"n": args.n, "by_kind": out, "mix_cpu_ms_per_request": round(weighted, 2),
                      "load_avg_1m": round(os.getloadavg()[0], 1)}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
