"""How fast ``tpmcourse grade`` goes through a class, on this machine.

Classes of 30, 100 and 300 copies of one lab's reference notebook (each in
its own student folder, names varied) are graded as an instructor would,
with the default number of workers, every submission in its sandbox;
the table gives submissions per minute. Beside it, the baseline a course
without the grader would pay: ``jupyter nbconvert --to notebook --execute``
run on the notebooks one after another (timed on a sample, scaled to each
class size). And the sandbox's own cost: the same sample graded one at a
time with isolation and without (``--unsafe-trusted-code``).

The lab's reference solution is run once per process before any timing
(grading does it once per run to learn the answers' sizes), so each class's
time is its submissions' only. Everything is written to a temporary folder,
removed at the end.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tpmcourse import labs

BIN = Path(sys.executable).parent
LAB = "reliability"  # the fastest lab to grade (about 2 s a submission with one core)
SIZES = (30, 100, 300)
SAMPLE = 10  # notebooks for the nbconvert baseline and the sandbox's overhead
NAMES = ("ana", "bo", "chen", "dara", "emeka", "fatima", "gus", "hana", "ivan", "jo", "kofi", "lena", "mateo",
         "nia", "omar", "priya", "quinn", "rosa", "sven", "tomas", "uma", "vera", "wei", "xena", "yusuf", "zoe")


def make_class(folder: Path, lab: labs.Lab, size: int) -> Path:
    """``folder`` with ``size`` student folders, each holding a copy of the lab's reference notebook."""
    folder.mkdir(parents=True)
    for i in range(size):
        student = folder / f"{NAMES[i % len(NAMES)]}-{i + 1:03d}"
        student.mkdir()
        shutil.copyfile(lab.notebook, student / lab.notebook.name)
    return folder


def grade_class(folder: Path, out: Path, workers: int | None = None, unsafe: bool = False) -> tuple[float, str]:
    """Seconds to grade ``folder`` and write every output; and how many got full marks."""
    from tpmcourse.instructor.grade import Outputs, grade_and_write

    started = time.perf_counter()
    outcome = grade_and_write(folder, Outputs.beside(out), workers, progress=False, unsafe_trusted_code=unsafe)
    seconds = time.perf_counter() - started
    full = sum(g.status == "graded" and g.total == g.possible > 0 for g in outcome.grades)
    return seconds, f"{full} of {len(outcome.grades)}"


def baseline_command(notebook: Path) -> tuple[list[str], str]:
    """``jupyter nbconvert --to notebook --execute`` where nbconvert is installed;
    else nbclient's ``jupyter execute`` writing the executed copy the same way
    (nbconvert's --execute runs nbclient underneath)."""
    nbconvert = shutil.which("jupyter-nbconvert", path=str(BIN))  # its kernel: this environment's
    if nbconvert:
        return ([nbconvert, "--to", "notebook", "--execute", "--output", f"executed-{notebook.stem}", str(notebook)],
                "jupyter nbconvert --to notebook --execute")
    return ([str(BIN / "jupyter-execute"), f"--output=executed-{notebook.stem}", str(notebook)],
            "jupyter execute --output (nbclient; nbconvert is not installed)")


def baseline_seconds(notebooks: list[Path]) -> tuple[float, str]:
    """Seconds per notebook, executing them one after another, and the command used."""
    label = ""
    started = time.perf_counter()
    for notebook in notebooks:
        cmd, label = baseline_command(notebook)
        subprocess.run(cmd, check=True, cwd=notebook.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) / len(notebooks), label


def _table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]

    def line(r: tuple) -> str:
        return "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def bench_grading(sizes: tuple[int, ...] = SIZES, lab_id: str = LAB, sample: int = SAMPLE) -> str:
    from tpmcourse.instructor.grade import default_workers, grade_one, sandbox

    refused = sandbox.refusal()
    if refused:
        return f"Not measured: {refused}"
    lab = labs.find(lab_id)
    sample = max(1, min(sample, max(sizes)))
    workers = default_workers()
    rows = []
    with tempfile.TemporaryDirectory(prefix="tpm-bench-grading-") as tmp:
        work = Path(tmp)
        for unsafe in (False, True):  # the reference run and the sandbox probe, once per process
            grade_one("warm-up", lab.notebook, unsafe_trusted_code=unsafe)
        sampled = make_class(work / "sample", lab, sample)
        isolated, _ = grade_class(sampled, work / "sample-isolated.csv", workers=1)
        bare, _ = grade_class(sampled, work / "sample-bare.csv", workers=1, unsafe=True)
        per_notebook, command = baseline_seconds(sorted(sampled.glob(f"*/{lab.notebook.name}")))
        for size in sizes:
            seconds, full = grade_class(make_class(work / f"class-{size}", lab, size), work / f"grades-{size}.csv")
            baseline = per_notebook * size
            rows.append((size, f"{seconds:.1f} s", f"{size / seconds * 60:.1f}", full, f"{baseline:.0f} s (est.)",
                         f"{baseline / seconds:.2f}×"))
    table = _table(rows, ("submissions", f"grading time ({workers} at once)", "submissions per minute",
                          "full marks", "nbconvert one after another", "speed-up over nbconvert"))
    overhead = (isolated - bare) / sample
    intro = (f"Lab {lab.id}: copies of its reference notebook; {workers} worker(s) by default here "
             f"({sandbox.DEFAULT_LIMITS.tree_memory() / 2**30:.1f} GiB each at most).")
    baseline_note = (f"nbconvert column: `{command}` timed on {sample} notebook(s) one after another "
                     f"({per_notebook:.2f} s each), scaled to each class size; it runs each notebook once, with no "
                     f"sandbox and no checks. The speed-up is the nbconvert estimate ÷ the grading time.")
    sandbox_note = (f"The sandbox's cost, {sample} notebook(s) graded one at a time: {isolated / sample:.2f} s each "
                    f"isolated by bubblewrap, {bare / sample:.2f} s each without isolation (--unsafe-trusted-code): "
                    f"{overhead:+.2f} s per submission ({overhead / (bare / sample):+.0%}).")
    return "\n".join([intro, "", table, "", baseline_note, sandbox_note])
