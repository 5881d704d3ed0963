"""The ``tpmcourse`` command: what instructors and maintainers run.

Sub-commands print a clear message and exit non-zero on bad input instead of
showing a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import notebooks


def cmd_outputs(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.notebooks] or notebooks.all_notebooks()
    failed = []
    for path in paths:
        if path.suffix != ".ipynb" or not path.exists():
            print(f"✗ {path}: not a notebook file", file=sys.stderr)
            failed.append(path)
            continue
        print(f"… executing {path}", flush=True)
        try:
            notebooks.execute(path, timeout=args.timeout)
        except Exception as exc:  # report every notebook, then fail once
            print(f"✗ {path}: {type(exc).__name__}: {str(exc).splitlines()[-1:]}", file=sys.stderr)
            failed.append(path)
    print(f"{len(paths) - len(failed)} of {len(paths)} notebooks executed and saved.")
    return 1 if failed else 0


def cmd_data(args: argparse.Namespace) -> int:
    from . import datasets

    for path in datasets.write_all(Path(args.out)):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tpmcourse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    outputs = sub.add_parser("outputs", help="re-execute notebooks and store their outputs")
    outputs.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    outputs.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    outputs.set_defaults(func=cmd_outputs)
    data = sub.add_parser("data", help="regenerate the generated data files from fixed seeds")
    data.add_argument("--out", default=str(notebooks.ROOT / "data"), help="folder to write to")
    data.set_defaults(func=cmd_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
