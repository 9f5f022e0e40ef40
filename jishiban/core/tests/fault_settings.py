"""Production settings for the servers the fault tests start in other processes, with the waits
shortened so a test sees a killed worker's job retried in seconds instead of minutes."""

import os

from jishiban.settings import *  # noqa: F403
from jishiban.settings import DATABASES, Q_CLUSTER

JISHIBAN_RESULT_LEASE_SECONDS = 3  # a delivery claimed by a dead worker is sent again after this
JISHIBAN_RESULT_BACKOFF_SECONDS = 1
JISHIBAN_IDEMPOTENCY_CLAIM_SECONDS = 5  # a key claimed by a killed request is free again after this
Q_CLUSTER = {**Q_CLUSTER, "timeout": 8, "retry": 10, "workers": 2}  # a job of a dead worker comes back

# SQLite: how long a request waits for a write lock held elsewhere before giving up.
_busy = os.environ.get("FAULT_SQLITE_BUSY_SECONDS")
if _busy and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    options = DATABASES["default"]["OPTIONS"]
    options["timeout"] = float(_busy)
    options["init_command"] = options["init_command"].replace("busy_timeout=20000", f"busy_timeout={int(float(_busy) * 1000)}")
