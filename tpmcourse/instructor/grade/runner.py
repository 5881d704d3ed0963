"""Run one submission, cell by cell, inside its scratch folder (a separate
process started by tpmcourse.instructor.grade). Writes ``run.json`` with what went
wrong, and the kernel writes ``answers.json`` with the learner's answers."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


class CappedClient(NotebookClient):
    """Stops keeping output past a byte limit, so a cell that prints
    megabytes cannot exhaust the grader's memory."""

    max_output_bytes = 1_000_000
    output_bytes = 0
    overflow = False

    def output(self, outs, msg, display_id, cell_index):
        self.output_bytes += len(json.dumps(msg.get("content", {})))
        if self.output_bytes > self.max_output_bytes:
            self.overflow = True
            return None
        return super().output(outs, msg, display_id, cell_index)


def main(scratch: str, cell_timeout: int, max_output: int) -> int:
    root = Path(scratch)
    report: dict[str, Any] = {"errors": [], "timeouts": [], "overflow": False, "extracted": False, "dead": False}
    nb = nbformat.read(root / "submission.ipynb", as_version=4)
    names = json.loads((root / "names.json").read_text())
    # After every cell the answers so far are saved, so a submission that hangs
    # later still gets credit for what it had answered.
    extract_source = ("from tpmcourse.instructor.grade.answers import dump as _tpm_dump\n"
                      f"_tpm_dump({names!r}, globals(), 'answers.json')")
    # An async kernel manager: with a blocking one, nbclient's per-cell timeout
    # never fires while a cell loops forever.
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(root / "kernel-ipc"))
    client = CappedClient(nb, km=km, timeout=cell_timeout, allow_errors=True,
                          interrupt_on_timeout=True, resources={"metadata": {"path": str(root)}})
    client.max_output_bytes = max_output
    kernel_env = {**os.environ, **json.loads((root / "kernel_env.json").read_text())}
    try:
        with client.setup_kernel(env=kernel_env, cwd=str(root)):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    report["timeouts"].append(index)
                except DeadKernelError:
                    report["dead"] = True
                    break
                except CellExecutionError as exc:
                    report["errors"].append([index, str(exc).strip().splitlines()[-1][:300]])
                for out in cell.get("outputs", []):
                    if out.get("output_type") != "error":
                        continue
                    if out.get("ename") == "KeyboardInterrupt":
                        report["timeouts"].append(index)  # interrupted by the per-cell time limit
                    else:
                        report["errors"].append([index, f"{out.get('ename')}: {out.get('evalue')}"[:300]])
                extract = nbformat.v4.new_code_cell(extract_source)
                client.execute_cell(extract, index)
    except DeadKernelError:
        report["dead"] = True
    report["overflow"] = client.overflow
    report["extracted"] = (root / "answers.json").exists()
    (root / "run.json").write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
