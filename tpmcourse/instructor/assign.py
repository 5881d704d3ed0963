"""``tpmcourse assign``: student versions of the labs, ready to hand out.

Every ``solution`` cell becomes a placeholder, every output is cleared (a
check's ✅ message could reveal an answer), model answers and widget state
are removed, the data files each lab reads are copied, and the lot is zipped
with a short README for students.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import nbformat

from tpmcourse import __version__, labs
from tpmcourse.instructor import strip
from tpmcourse.paths import DATA

README = """# {course}: lab handout

This folder holds {n} lab notebook(s) and the data they read (`data/`).

1. Install the course's Python package once (it provides the checks), e.g.
   in the course repository: `make install`, or `pip install -e <course folder>`.
2. Start Jupyter in this folder and open a lab.
3. Work through the tasks in order. After each task, run its **check** cell:
   it answers ✅ when your answer is right, or ❌ with a hint about what to look at.
4. Replace every `...` with your answer. Keep the variable names the task asks for:
   your instructor's grader reads them.
5. Hand in the `.ipynb` file(s) when you are done (outputs may stay in).

Labs: {labs}
"""


def student_version(lab: labs.Lab) -> nbformat.NotebookNode:
    nb = strip.strip_solutions(nbformat.read(lab.notebook, as_version=4))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nb.metadata["tpmcourse"] = {"lab": lab.id, "version": __version__}
    return nb


def handout(chosen: list[labs.Lab], out: Path, course: str = "Technical Product Management, hands-on") -> Path:
    """Write the student versions, their data and a README into ``out``; return the zip's path."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: choose a new folder so nothing is overwritten")
    out.mkdir(parents=True, exist_ok=True)
    (out / "data").mkdir()
    for lab in chosen:
        nbformat.write(student_version(lab), out / lab.notebook.name)
        for name in lab.data_files():
            shutil.copy2(DATA / name, out / "data" / name)
    (out / "README.md").write_text(README.format(
        course=course, n=len(chosen), labs=", ".join(lab.notebook.name for lab in chosen)), encoding="utf-8")
    archive = out.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                zf.write(path, Path(out.name) / path.relative_to(out))
    return archive


def run(names: list[str], every: bool, out: Path) -> int:
    """``tpmcourse assign``: exit status 0, or 2 with a message for bad input."""
    if every == bool(names):
        print("Name the labs to hand out (e.g. `tpmcourse assign metrics ethics --out handout`) "
              "or use --all.", file=sys.stderr)
        return 2
    try:
        chosen = labs.labs() if every else [labs.find(name) for name in names]
        archive = handout(chosen, out)
    except (KeyError, FileExistsError) as exc:
        print(f"✗ {exc.args[0]}", file=sys.stderr)
        return 2
    print(f"Wrote {len(chosen)} student notebook(s) with their data to {out}/ and {archive}")
    return 0
