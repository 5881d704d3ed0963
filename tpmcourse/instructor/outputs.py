"""``tpmcourse outputs``: re-execute notebooks and store their outputs, the
outputs that nbval then validates and the book shows."""

from __future__ import annotations

import sys
from pathlib import Path

from tpmcourse.content import notebooks


def run(paths: list[Path], timeout: int) -> int:
    paths = paths or notebooks.all_notebooks()
    failed = []
    for path in paths:
        if path.suffix != ".ipynb" or not path.exists():
            print(f"✗ {path}: not a notebook file", file=sys.stderr)
            failed.append(path)
            continue
        print(f"… executing {path}", flush=True)
        try:
            notebooks.execute(path, timeout=timeout)
        except Exception as exc:  # report every notebook, then fail once
            print(f"✗ {path}: {type(exc).__name__}: {str(exc).splitlines()[-1:]}", file=sys.stderr)
            failed.append(path)
    print(f"{len(paths) - len(failed)} of {len(paths)} notebooks executed and saved.")
    return 1 if failed else 0
