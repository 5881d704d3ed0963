"""The ``tpmcourse`` command: what instructors and maintainers run.

This module only parses arguments and dispatches: each sub-command lives in
its own module (``listing``, ``assign``, ``quiz_export``, ``grade``, ``outputs``, and
``tpmcourse.datasets`` for ``data``, ``tpmcourse.content.learner_folder`` for
``notebooks``, ``tpmcourse.content.launch_tree`` for ``launch-tree``). Sub-commands
print a clear message and exit non-zero on bad input instead of showing a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tpmcourse.paths import DATA


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tpmcourse", description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    outputs = sub.add_parser("outputs", help="re-execute notebooks and store their outputs")
    outputs.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    outputs.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    data = sub.add_parser("data", help="regenerate the generated data files from fixed seeds")
    data.add_argument("--out", type=Path, default=DATA, help="folder to write to")
    sub.add_parser("list", help="chapters, labs, tasks and quiz counts")
    assign = sub.add_parser("assign", help="student versions of labs and chapters, with data, a README and a zip")
    assign.add_argument("labs", nargs="*", help="lab ids, e.g. prioritization metrics (or numbers: 1 2)")
    assign.add_argument("--all", action="store_true", help="every lab")
    assign.add_argument("--chapter", action="append", default=[], metavar="N",
                        help="a chapter, by number, without its exercise solutions (repeat for more)")
    assign.add_argument("--out", type=Path, required=True, help="a new folder to write to")
    notebooks = sub.add_parser("notebooks", help="the learner edition of every chapter and lab, for JupyterLab")
    notebooks.add_argument("--out", type=Path, required=True, help="the folder to write them to")
    notebooks.add_argument("--force", action="store_true",
                           help="replace notebooks already in the folder (they may hold your work)")
    launch = sub.add_parser("launch-tree", help="the tree the launch buttons open: the course, its notebooks "
                                                 "in their learner edition (the workflow pushes it to a branch)")
    launch.add_argument("--out", type=Path, default=None, help="a new folder to write the tree to")
    launch.add_argument("--source", default="the main branch",
                        help="what the tree was made from, as its LEARNER_EDITION.md says (e.g. a commit)")
    for writer in (notebooks, launch):  # the commands that write the learner edition
        writer.add_argument("--book-url", default=None,
                            help="the published book that links to pages other than notebooks go to "
                                 "(default: the course repository's GitHub Pages)")
    launch.add_argument("--branch", action="store_true",
                        help="only print the branch the launch buttons open (_config.yml's tpm_launch_branch)")
    quiz_export = sub.add_parser("quiz-export", help="chapters' quizzes for Canvas (QTI 1.2) or Moodle (Moodle XML)")
    quiz_export.add_argument("--chapter", action="append", default=[], metavar="N",
                             help="a chapter, by number (repeat for more)")
    quiz_export.add_argument("--all", action="store_true", help="every chapter's quiz")
    quiz_export.add_argument("--format", choices=["qti", "moodle"], required=True,
                             help="qti: a .zip for Canvas; moodle: a Moodle XML .xml file")
    quiz_export.add_argument("--out", type=Path, required=True,
                             help="the file to write (one chapter), or a folder: one file per chapter")
    quiz_export.add_argument("--moodle-ordering", choices=["ordering", "matching"], default="ordering",
                             help="Moodle type for ordering questions (default ordering: Moodle 4.4+ "
                                  "or the qtype_ordering plugin)")
    grade = sub.add_parser("grade", help="grade a folder of submitted lab notebooks")
    grade.add_argument("submissions", type=Path,
                       help="folder: one sub-folder per student, or <student>_<lab>.ipynb files")
    grade.add_argument("--out", type=Path, default=Path("grades.csv"), help="CSV to write (default grades.csv)")
    grade.add_argument("--workers", type=int, default=None,
                       help="submissions graded at once on this machine (default: one per usable core, as many "
                            "as memory holds at about 2.4 GiB each)")
    grade.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster instead, e.g. tcp://10.0.0.5:8786: each worker needs the "
                            "course installed and bubblewrap (see instructors/commands.md)")
    grade.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    grade.add_argument("--timeout", type=int, default=600, help="seconds per submission (default 600)")
    grade.add_argument("--force", action="store_true",
                       help="replace the grades, feedback, class report and gradebook files of an earlier run")
    grade.add_argument("--roster", type=Path, default=None,
                       help="CSV mapping students to LMS ids: student, lms_id, email and/or username")
    grade.add_argument("--fresh-data", action="store_true",
                       help="run and check every submission on its lab's data regenerated with a secret seed, so "
                            "that answers typed in or copied earn nothing (see instructors/fresh-data.md)")
    grade.add_argument("--seed", type=int, default=None,
                       help="with --fresh-data: the seed of an earlier run, to grade again on the same data")
    grade.add_argument("--unsafe-trusted-code", action="store_true",
                       help="run submissions WITHOUT isolation, with your rights, when bubblewrap cannot be "
                            "used here; only for code you trust (every row of the report says so)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported per command, so `tpmcourse list` does not load the grader and so on.
    if args.command == "outputs":
        from tpmcourse.instructor import outputs

        return outputs.run(args.notebooks, args.timeout)
    if args.command == "data":
        from tpmcourse import datasets

        return datasets.run(args.out)
    if args.command == "list":
        from tpmcourse.instructor import listing

        return listing.run()
    if args.command == "assign":
        from tpmcourse.instructor import assign

        return assign.run(args.labs, args.all, args.out, args.chapter)
    if args.command == "notebooks":
        from tpmcourse.content import learner_folder

        return learner_folder.run(args.out, args.force, args.book_url)
    if args.command == "launch-tree":
        from tpmcourse.content import launch_tree

        if args.out is None and not args.branch:
            build_parser().error("launch-tree needs --out DIR (or --branch)")
        return launch_tree.run(args.out, args.book_url, args.source, print_branch=args.branch)
    if args.command == "quiz-export":
        from tpmcourse.instructor import quiz_export

        return quiz_export.run(args.chapter, args.all, args.format, args.out, args.moodle_ordering)
    from tpmcourse.instructor import grade

    return grade.run(args.submissions, args.out, args.workers, args.cell_timeout, args.timeout,
                     force=args.force, roster=args.roster, unsafe_trusted_code=args.unsafe_trusted_code,
                     scheduler=args.scheduler, fresh_data=args.fresh_data, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
