"""How the metrics lab's funnel and cohort computations scale, in pandas and
in DuckDB, from 10^4 to 10^7 events: time and peak memory per size.

Each measurement runs in its own process that reads the same Parquet file,
so one run's memory never inflates the next; peak memory is that process's
maximum resident set size, imports included (the first row shows that floor).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tpmcourse.datasets.lab2_metrics import make_event_log
from tpmcourse.labs.lab2_metrics_helpers import write_events

EVENTS_PER_USER = 6  # about 6 events per merchant in the generated log

WORKER = r"""
import json, resource, sys, time
from tpmcourse.labs.lab2_metrics_helpers import (cohorts_duckdb, cohorts_pandas, funnel_duckdb, funnel_pandas,
                                                 load_events)
engine, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if engine == "pandas":
    df = load_events(path)
    funnel_pandas(df); cohorts_pandas(df)
elif engine == "duckdb":
    funnel_duckdb(path); cohorts_duckdb(path)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(engine: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", WORKER, engine, str(path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_metrics(sizes: tuple[int, ...] = (10**4, 10**5, 10**6, 10**7)) -> str:
    rows = []
    with tempfile.TemporaryDirectory(prefix="tpm-events-") as tmp:
        floor = measure("none", Path(tmp) / "unused")
        for target in sizes:
            users = max(1, target // EVENTS_PER_USER)
            events = make_event_log(n_users=users, seed=20250303)
            path = write_events(events, Path(tmp) / f"events_{target}.parquet")
            n = len(events)
            del events
            results = {engine: measure(engine, path) for engine in ("pandas", "duckdb")}
            rows.append((f"{n:,}", f"{users:,}",
                         f"{results['pandas']['seconds']:.2f} s", f"{results['pandas']['peak_mib']:.0f} MiB",
                         f"{results['duckdb']['seconds']:.2f} s", f"{results['duckdb']['peak_mib']:.0f} MiB",
                         f"{results['pandas']['seconds'] / results['duckdb']['seconds']:.1f}×"))
    headers = ("events", "merchants", "pandas time", "pandas peak memory",
               "DuckDB time", "DuckDB peak memory", "pandas ÷ DuckDB time")
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]
    line = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    table = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows]
    return "\n".join(table) + f"\n\nProcess floor (Python and imports, no data): {floor['peak_mib']:.0f} MiB."
