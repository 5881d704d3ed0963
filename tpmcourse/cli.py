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


def cmd_list(args: argparse.Namespace) -> int:
    import yaml

    from . import labinfo, quizbank
    from .paths import COURSE, ROOT

    outline = yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))
    banks = quizbank.load_all()
    print("Chapters")
    print(f"  {'#':>2}  {'objectives':>10}  {'quiz':>4}  title")
    for number, chapter in enumerate(outline["chapters"], start=1):
        objectives = notebooks.objectives(notebooks.read(ROOT / chapter["file"]))
        quiz = len(banks[f"ch{number:02d}"].questions) if f"ch{number:02d}" in banks else 0
        print(f"  {number:>2}  {len(objectives):>10}  {quiz:>4}  {chapter['title']}")
    print("\nLabs")
    print(f"  {'id':<15} {'tasks':>5} {'points':>6}  notebook")
    for lab in labinfo.labs():
        written = sum(t.kind == "written" for t in lab.tasks)
        print(f"  {lab.id:<15} {len(lab.tasks):>5} {lab.points:>6}  {lab.notebook.name}"
              f"  ({written} written task{'s' if written != 1 else ''} graded with a rubric)")
    total = sum(len(b.questions) for b in banks.values())
    print(f"\n{len(outline['chapters'])} chapters, {total} quiz questions, {len(labinfo.labs())} labs.")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from . import handout, labinfo

    if args.all == bool(args.labs):
        print("Name the labs to hand out (e.g. `tpmcourse assign metrics ethics --out handout`) "
              "or use --all.", file=sys.stderr)
        return 2
    try:
        labs = labinfo.labs() if args.all else [labinfo.find(name) for name in args.labs]
        archive = handout.handout(labs, Path(args.out))
    except (KeyError, FileExistsError) as exc:
        print(f"✗ {exc.args[0]}", file=sys.stderr)
        return 2
    print(f"Wrote {len(labs)} student notebook(s) with their data to {args.out}/ and {archive}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from . import grading

    folder = Path(args.submissions)
    if not folder.is_dir():
        print(f"✗ {folder} is not a folder of submissions", file=sys.stderr)
        return 2
    grades = grading.grade_folder(folder, Path(args.out), workers=args.workers,
                                  cell_timeout=args.cell_timeout, total_timeout=args.timeout)
    counts = {s: sum(g.status == s for g in grades) for s in grading.STATUSES}
    print(f"Graded {len(grades)} submission(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    print(f"Grades: {args.out}; feedback per student: {Path(args.out).with_name(Path(args.out).stem + '_feedback')}/")
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
    listing = sub.add_parser("list", help="chapters, labs, tasks and quiz counts")
    listing.set_defaults(func=cmd_list)
    assign_p = sub.add_parser("assign", help="student versions of labs, with data, a README and a zip")
    assign_p.add_argument("labs", nargs="*", help="lab ids, e.g. prioritization metrics (or numbers: 1 2)")
    assign_p.add_argument("--all", action="store_true", help="every lab")
    assign_p.add_argument("--out", required=True, help="a new folder to write to")
    assign_p.set_defaults(func=cmd_assign)
    grade_p = sub.add_parser("grade", help="grade a folder of submitted lab notebooks")
    grade_p.add_argument("submissions", help="folder: one sub-folder per student, or <student>_<lab>.ipynb files")
    grade_p.add_argument("--out", default="grades.csv", help="CSV to write (default grades.csv)")
    grade_p.add_argument("--workers", type=int, default=None, help="submissions graded at once")
    grade_p.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    grade_p.add_argument("--timeout", type=int, default=600, help="seconds per submission (default 600)")
    grade_p.set_defaults(func=cmd_grade)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
