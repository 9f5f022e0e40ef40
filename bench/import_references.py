"""Import speed by how the reference fields are written: codes, names, or values nothing resolves.

    .venv/bin/python bench/import_references.py --rows 200000 [--db sqlite|postgres] [--checkout DIR]

Three canonical CSVs of the same rows: ``codes`` (complaint / 020101 / 370827), ``names``
(投诉 / 停水 / 鱼台县 / 谷亭街道, spelt the many ways people write them) and ``unknown`` (every
row names a county no gazetteer has, so every row is rejected). Each runs in a fresh process on an
empty migrated database with the reference data, through the real ``Importer`` with the workers
``jishiban import --workers auto`` picks, and the rejection report written as the command writes
it. ``--checkout`` imports the code of another checkout (to measure before a change). Prints
rows/s; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["external_id", "received_at", "title", "content", "address", "citizen_name", "citizen_phone",
          "appeal_type", "category", "county", "town"]
SPELLINGS = {
    "codes": [("complaint", "020101", "370827", "370827001"), ("consult", "020101", "370811", "")],
    "names": [("投诉", "停水", "鱼台县", "谷亭街道"), ("投诉类", "供水/停水", "鱼台", "谷亭"),
              ("咨询", "水电气暖 > 供水 > 停水", "济宁市鱼台县", ""), ("complaint", "020101", "任城区", "")],
    "unknown": [("投诉", "停水", "鱼台镇", ""), ("抱怨", "停电了", "370899", "")],
}


def generate(path: Path, rows: int, kind: str) -> None:
    rnd = random.Random(7)
    start = datetime(2025, 1, 1, 8, 0)
    year = 365 * 24 * 3600
    spellings = SPELLINGS[kind]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            at = start + timedelta(seconds=i * year // rows)
            kind_, category, county, town = spellings[i % len(spellings)]
            writer.writerow([f"R{i:08d}", at.strftime("%Y-%m-%dT%H:%M:%S+08:00"), "停水",
                             f"小区停水已经{1 + i % 9}天，请尽快恢复供水", f"某街道{i % 500}号", "王先生",
                             f"139{rnd.randrange(10**8):08d}", kind_, category, county, town])


def run_one(csv_path: Path, rows: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jishiban.channels.models import Channel
    from jishiban.intake.bulk.loader import Importer
    from jishiban.intake.bulk.mappings import MAPPINGS
    from jishiban.intake.bulk.readers import read
    from jishiban.testing import load_reference_data

    Report = import_module("jishiban.intake.management.commands.import").Report  # noqa: N806

    call_command("migrate", verbosity=0)
    load_reference_data()
    report = Report(csv_path.with_suffix(".rejected.csv"))
    importer = Importer(Channel.objects.get(code="12345-phone"), after_intake=False, workers=1,
                        on_reject=report.add)
    started, cpu_before = time.perf_counter(), _cpu()
    stats = importer.run(read(csv_path, "csv"), MAPPINGS["canonical"])
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
    report.close()
    # On a shared machine wall time follows the neighbours; CPU time (importer + preparation
    # process) is the cost of the rows themselves.
    return {"vendor": connection.vendor, "rows": stats.read, "imported": stats.imported,
            "rejected": stats.rejected, "seconds": round(seconds, 2), "rows_per_s": round(stats.read / seconds),
            "cpu_seconds": round(cpu, 2), "rows_per_cpu_s": round(stats.read / cpu)}


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--checkout", default=str(ROOT), help="the checkout whose code to measure")
    parser.add_argument("--kinds", nargs="+", default=list(SPELLINGS), choices=list(SPELLINGS))
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(Path(args.run), args.rows)))
        return
    print(f"# {os.cpu_count()} CPUs, {args.rows} rows, {args.db}, code from {args.checkout}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds:
            path = Path(tmp) / f"{kind}.csv"
            generate(path, args.rows, kind)
            db = (f"sqlite:///{tmp}/{kind}.sqlite3" if args.db == "sqlite"
                  else os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/jishiban_bench_refs"))
            if args.db == "postgres":
                subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                                f"DROP DATABASE IF EXISTS {db.rsplit('/', 1)[1]}"], check=True)
                subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                                f"CREATE DATABASE {db.rsplit('/', 1)[1]}"], check=True)
            env = {**os.environ, "PYTHONPATH": args.checkout, "DJANGO_SETTINGS_MODULE": "jishiban.settings",
                   "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-django-checks", "DATABASE_URL": db,
                   "JISHIBAN_VAR_DIR": tmp}
            result = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--run", str(path)],
                                    env=env, cwd=args.checkout, capture_output=True, text=True)
            if result.returncode:
                sys.exit(result.stderr)
            print(kind, result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
