"""Bulk import speed: ``jishiban import appeals`` batch path vs. a plain INSERT/COPY.

    .venv/bin/python bench/intake_import.py --rows 1000000 --db sqlite postgres

Generates a canonical CSV in /tmp, then for each database runs a fresh process that migrates
an empty database, loads the reference data and imports the file with the real ``Importer``
(validation, numbering, appeals, receive events, external-id checks; after-intake jobs queued
one per batch, not run); ``insert_seconds`` is the part spent in the INSERT/COPY of appeals and
events (the table's ~20 indexes included). The same process then loads the same rows into a bare 12-column text
table with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) as the floor to compare with.
Prints rows/s, peak RSS and the ratio; nothing is asserted.
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
import time
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["external_id", "received_at", "title", "content", "address", "lat", "lon", "citizen_name",
          "citizen_phone", "appeal_type", "category", "county"]
COUNTIES = ["370811", "370812", "370826", "370827", "370828", "370829", "370830", "370831", "370832", "370881",
            "370883"]
TOPICS = [("停水", "小区停水已经{n}天，老人孩子生活不便，请尽快恢复供水"), ("路灯", "{n}号楼前路灯不亮，夜间出行不安全"),
          ("噪音", "附近工地夜间施工噪音扰民，持续到凌晨{n}点"), ("占道", "商户占道经营，{n}米人行道无法通行"),
          ("供暖", "家中暖气不热，室温只有{n}度"), ("欠薪", "公司拖欠工资{n}个月，要求协助讨薪")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def generate(path: Path, rows: int, *, shuffled: bool, seed: int = 7) -> None:
    """A year of appeals; in time order like a channel's export, or shuffled (worst case:
    every batch touches every day's number sequence)."""
    rnd = random.Random(seed)
    start = datetime(2025, 1, 1, 8, 0)
    year = 365 * 24 * 3600
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            title, text = TOPICS[i % len(TOPICS)]
            offset = rnd.randrange(0, year) if shuffled else i * year // rows
            at = start + timedelta(seconds=offset)
            located = i % 3 == 0
            writer.writerow([
                f"B{i:08d}", at.strftime("%Y-%m-%dT%H:%M:%S+08:00"), title, text.format(n=1 + i % 9),
                f"某街道{i % 500}号" if i % 2 else "",
                f"{35.3 + rnd.random() * 0.3:.6f}" if located else "",
                f"{116.4 + rnd.random() * 0.4:.6f}" if located else "",
                rnd.choice(SURNAMES) + "先生", f"139{i % 100000000:08d}", "complaint" if i % 4 else "consult",
                "", rnd.choice(COUNTIES),
            ])


def worker(db: str, csv_path: Path, batch_size: int, workers: str, rows: int) -> dict:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django-checks")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jishiban.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from jishiban.appeals.models import Appeal, AppealEvent
    from jishiban.channels.models import Channel
    from jishiban.intake.bulk.loader import Importer
    from jishiban.intake.bulk.mappings import MAPPINGS
    from jishiban.intake.bulk.readers import read
    from jishiban.testing import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data()
    # "auto": what `jishiban import --workers auto` would choose for this file on this machine
    workers = import_module("jishiban.intake.management.commands.import").Command._workers(workers, rows)
    channel = Channel.objects.get(code="12345-phone")
    rejected = []
    importer = Importer(channel, batch_size=batch_size, workers=workers, on_reject=rejected.append)
    spent = {"insert": 0.0}

    def timed(write):
        def wrapper(rows):
            t = time.perf_counter()
            try:
                return write(rows)
            finally:
                spent["insert"] += time.perf_counter() - t
        return wrapper

    importer.appeals.write = timed(importer.appeals.write)
    importer.events.write = timed(importer.events.write)
    started, cpu = time.perf_counter(), time.process_time()
    stats = importer.run(read(csv_path, "csv"), MAPPINGS["canonical"])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert Appeal.objects.count() == stats.imported == AppealEvent.objects.count(), "counts disagree"

    started = time.perf_counter()
    rerun = Importer(channel, batch_size=batch_size, workers=workers).run(read(csv_path, "csv"),
                                                                          MAPPINGS["canonical"])
    rerun_elapsed = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute("CREATE TABLE bench_bare (" + ", ".join(f"{c} text" for c in HEADER) + ")")
    started = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        while True:
            chunk = [row for _n, row in zip(range(batch_size), reader, strict=False)]
            if not chunk:
                break
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.copy(f"COPY bench_bare ({', '.join(HEADER)}) FROM STDIN") as copy:
                        for row in chunk:
                            copy.write_row(row)
                else:
                    cursor.executemany(f"INSERT INTO bench_bare VALUES ({', '.join(['%s'] * len(HEADER))})", chunk)
    bare = time.perf_counter() - started
    return {"db": connection.vendor, "workers": workers, "rows": stats.read, "imported": stats.imported,
            "rejected": stats.rejected, "seconds": round(elapsed, 2), "rows_per_s": round(stats.read / elapsed),
            "insert_seconds": round(spent["insert"], 1), "parent_cpu_s": round(cpu, 1), "worker_cpu_s": round(children.ru_utime + children.ru_stime, 1),
            "load_avg_1m_at_end": round(load, 1),
            "rerun_seconds": round(rerun_elapsed, 2), "rerun_present": rerun.present,
            "rerun_rows_per_s": round(stats.read / rerun_elapsed),
            "bare_seconds": round(bare, 2), "bare_rows_per_s": round(stats.read / bare),
            "ratio_to_bare": round(elapsed / bare, 1), "peak_rss_mb": round(rss_import),
            "worker_peak_rss_mb": round(children.ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--workers", default="auto",
                        help="validation processes (default: as `jishiban import --workers auto` on this machine)")
    parser.add_argument("--shuffled", action="store_true", help="rows in random time order")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/jsb_bench_intake_import",
                        help="a PostgreSQL URL whose database may be dropped and recreated")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.csv), args.batch_size, args.workers, args.rows)))
        return

    csv_path = Path(f"/tmp/jishiban-bench-import-{args.rows}{'-shuffled' if args.shuffled else ''}.csv")
    if not csv_path.exists():
        t = time.perf_counter()
        generate(csv_path, args.rows, shuffled=args.shuffled)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f}s → {csv_path} "
              f"({csv_path.stat().st_size / 1e6:.0f} MB)")
    for db in args.db:
        env = dict(os.environ)
        if db == "sqlite":
            db_path = Path(f"/tmp/jishiban-bench-import-{os.getpid()}.sqlite3")
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{db_path}"
        else:
            name = args.pg.rsplit("/", 1)[1]
            admin = args.pg.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
            env["DATABASE_URL"] = args.pg
        out = subprocess.run([sys.executable, __file__, "--worker", db, "--csv", str(csv_path), "--batch-size",
                              str(args.batch_size), "--workers", args.workers, "--rows", str(args.rows)],
                             env=env, capture_output=True, text=True, check=False)
        if out.returncode:
            print(out.stderr[-3000:])
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(result, ensure_ascii=False))
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
