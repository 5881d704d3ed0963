"""The GitHub workflow keeps its design: every push and pull request is tested
by the project's own CI script, and only a push to main publishes, to GitHub
Pages with the official actions, the book that those tests built, after one
job, the only one that may write to the repository, has pushed the branch its
launch buttons open (``tpmcourse launch-tree``). An edit that would publish an
untested book, publish from a pull request, or send the launch buttons to a
branch not yet written fails here (``workflow_problems``), and each rule is
shown to catch its own mistake. The workflows also pass actionlint, which
``make lint`` runs too.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tpmcourse.paths import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "book.yml"
PAGES_ACTIONS = ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages")
PINNED = re.compile(r"@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")  # a major version at least, or a commit
MAIN = "refs/heads/main"


def book_folder() -> str:
    """Where `make book` writes the HTML book (the Makefile's ``HTML :=``)."""
    match = re.search(r"^HTML := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert match, "the Makefile names no HTML folder"
    return match.group(1)


def load(path: Path = WORKFLOW) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:  # YAML 1.1 reads the key `on` as true
        workflow["on"] = workflow.pop(True)
    return workflow


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if str(step.get("uses", "")).split("@")[0] == action]


def runs_tests(step: dict[str, Any]) -> bool:
    command = str(step.get("run", ""))
    return ".ci/run" in command or "make test" in command


def upstream(jobs: dict[str, Any], name: str) -> set[str]:
    """Every job that must succeed before ``name`` runs."""
    needs = jobs[name].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(upstream(jobs, job) for job in direct if job in jobs))


def only_on_main(condition: Any) -> bool:
    """Whether an ``if:`` holds only on main: a clause ``github.ref == 'refs/heads/main'``, and-ed with any others."""
    text = str(condition or "")
    return "||" not in text and f"github.ref == '{MAIN}'" in [clause.strip() for clause in text.split("&&")]


def workflow_problems(workflow: dict[str, Any]) -> list[str]:
    """What breaks the design; empty when the workflow keeps it."""
    problems = []
    triggers = workflow.get("on") or {}
    triggers = [triggers] if isinstance(triggers, str) else list(triggers)
    problems += [f"not run on {event}" for event in ("push", "pull_request") if event not in triggers]
    top = workflow.get("permissions") or {}
    if top != {"contents": "read"}:
        problems.append(f"workflow permissions are {top}, not only contents: read (deploying rights go to one job)")
    jobs = workflow.get("jobs") or {}
    testing = [name for name, job in jobs.items() if any(runs_tests(step) for step in job.get("steps", []))]
    if not testing:
        return [*problems, "no job runs .ci/run or make test"]
    for name in testing:
        job = jobs[name]
        step = next(step for step in job["steps"] if runs_tests(step))
        if step.get("if") or job.get("if"):
            problems.append(f"job {name!r} tests only sometimes")
        if "ubuntu" not in str(job.get("runs-on", "")):
            problems.append(f"job {name!r} does not run on an Ubuntu runner")
        if "TPM_REPOSITORY_URL" not in str(step.get("run", "")) + str(job.get("env", {})):
            problems.append(f"job {name!r} builds the book without TPM_REPOSITORY_URL")
    env = {key: value for job in jobs.values() for key, value in (job.get("env") or {}).items()}
    if env.get("TPM_REPOSITORY_URL") != "${{ github.server_url }}/${{ github.repository }}":
        problems.append("TPM_REPOSITORY_URL is not the repository the workflow runs in")
    for name, job in jobs.items():
        for step in job.get("steps", []):
            uses = str(step.get("uses", ""))
            if uses and not uses.startswith("./") and not PINNED.search(uses):
                problems.append(f"{uses} is not pinned to a version")
        tested_before = name in testing or bool(upstream(jobs, name) & set(testing))
        for step in steps_using(job, "actions/upload-pages-artifact"):
            if not tested_before:
                problems.append(f"job {name!r} uploads a book that no test job checked")
            elif name in testing and job["steps"].index(step) < next(
                    i for i, s in enumerate(job["steps"]) if runs_tests(s)):
                problems.append(f"job {name!r} uploads the book before testing it")
            if step.get("with", {}).get("path") != book_folder():
                problems.append(f"the Pages artifact is {step.get('with', {}).get('path')!r}, "
                                f"not the folder make book writes ({book_folder()})")
            if not only_on_main(step.get("if") or job.get("if")):
                problems.append("the Pages artifact is uploaded outside main")
    deploying = [name for name, job in jobs.items() if steps_using(job, "actions/deploy-pages")]
    if len(deploying) != 1:
        return [*problems, f"{len(deploying)} jobs deploy to Pages, not one"]
    name = deploying[0]
    job = jobs[name]
    if not set(testing) & upstream(jobs, name):
        problems.append(f"job {name!r} deploys without waiting for the tests")
    if not only_on_main(job.get("if")):
        problems.append(f"job {name!r} deploys from other branches than main (if: {job.get('if')!r})")
    permissions = job.get("permissions") or {}
    if permissions.get("pages") != "write" or permissions.get("id-token") != "write":
        problems.append(f"job {name!r} lacks pages: write and id-token: write ({permissions})")
    concurrency = job.get("concurrency") or workflow.get("concurrency") or {}
    if not (isinstance(concurrency, dict) and concurrency.get("group") == "pages"
            and concurrency.get("cancel-in-progress") is False):
        problems.append(f"job {name!r} is not in the concurrency group pages, without cancelling")
    deploy_step = steps_using(job, "actions/deploy-pages")[0]
    environment = job.get("environment") or {}
    if environment.get("name") != "github-pages" or environment.get("url") != (
            f"${{{{ steps.{deploy_step.get('id')}.outputs.page_url }}}}"):
        problems.append(f"job {name!r} does not deploy to the github-pages environment with its URL")
    used = {str(step.get("uses", "")).split("@")[0] for job in jobs.values() for step in job.get("steps", [])}
    problems += [f"{action} is not used" for action in PAGES_ACTIONS if action not in used]
    return problems + launch_branch_problems(jobs, testing, deploying=name)


def launch_branch_problems(jobs: dict[str, Any], testing: list[str], deploying: str) -> list[str]:
    """The launch branch is written from a tested main, by the one job that may write to the
    repository, to the branch ``tpmcourse launch-tree --branch`` names, before the book is published."""
    problems = []
    writing = [name for name, job in jobs.items() if (job.get("permissions") or {}).get("contents") == "write"]
    trees = [(name, step) for name, job in jobs.items() for step in job.get("steps", [])
             if "launch-tree --out" in str(step.get("run", ""))]
    if not trees:
        problems.append("no job writes the launch tree (tpmcourse launch-tree --out)")
    for name, step in trees:
        if not only_on_main(step.get("if") or jobs[name].get("if")):
            problems.append("the launch tree is written outside main")
        steps = jobs[name]["steps"]
        tested = bool(upstream(jobs, name) & set(testing)) or (name in testing and steps.index(step) > next(
            i for i, s in enumerate(steps) if runs_tests(s)))
        if not tested:
            problems.append(f"job {name!r} writes the launch tree before the tests pass")
    pushing = [name for name, job in jobs.items() if any("git push" in str(s.get("run", "")) for s in job["steps"])]
    if len(pushing) != 1:
        return [*problems, f"{len(pushing)} jobs push the launch branch, not one"]
    name = pushing[0]
    job = jobs[name]
    if set(writing) != {name}:
        problems.append(f"jobs that may write to the repository: {writing}, not only {name!r}, which pushes")
    if not only_on_main(job.get("if")):
        problems.append(f"job {name!r} pushes the launch branch from other branches than main")
    if not set(testing) & upstream(jobs, name):
        problems.append(f"job {name!r} pushes the launch branch without waiting for the tests")
    if name not in upstream(jobs, deploying):
        problems.append(f"job {deploying!r} publishes the book before its launch branch is pushed")
    push = next(s for s in job["steps"] if "git push" in str(s.get("run", "")))
    if "launch_branch" not in str(push.get("env", {})) + str(push.get("run", "")):
        problems.append("the launch branch pushed is not the one `tpmcourse launch-tree --branch` names")
    return problems


def test_the_workflow_keeps_its_design():
    assert workflow_problems(load()) == []


def without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def mutate(change) -> dict[str, Any]:
    workflow = copy.deepcopy(load())
    change(workflow)
    return workflow


def deploy_job(workflow: dict[str, Any]) -> dict[str, Any]:
    return next(job for job in workflow["jobs"].values() if steps_using(job, "actions/deploy-pages"))


def launch_job(workflow: dict[str, Any]) -> dict[str, Any]:
    return next(job for job in workflow["jobs"].values() if any("git push" in str(s.get("run", ""))
                                                                for s in job.get("steps", [])))


def job_that_tests(workflow: dict[str, Any]) -> dict[str, Any]:
    return next(job for job in workflow["jobs"].values() if any(runs_tests(s) for s in job.get("steps", [])))


MISTAKES = {
    "no pull requests": lambda w: w.update(on=without(w["on"], "pull_request")),
    "no pushes": lambda w: w.update(on=without(w["on"], "push")),
    "deploy does not wait": lambda w: deploy_job(w).pop("needs"),
    "deploy from any branch": lambda w: deploy_job(w).pop("if"),
    "deploy from pull requests": lambda w: deploy_job(w).update({"if": "github.event_name == 'pull_request'"}),
    "no pages permission": lambda w: deploy_job(w).update(permissions={"id-token": "write"}),
    "no id-token permission": lambda w: deploy_job(w).update(permissions={"pages": "write"}),
    "rights for every job": lambda w: w.update(permissions={"contents": "read", "pages": "write"}),
    "no environment": lambda w: deploy_job(w).pop("environment"),
    "cancelled deployments": lambda w: deploy_job(w).update(concurrency={"group": "pages",
                                                                          "cancel-in-progress": True}),
    "tests skipped": lambda w: [s.update(run="echo skipped") for s in job_that_tests(w)["steps"] if runs_tests(s)],
    "another folder published": lambda w: [s["with"].update(path="_build/jupyter_execute")
                                           for s in steps_using(job_that_tests(w), "actions/upload-pages-artifact")],
    "uploaded before testing": lambda w: job_that_tests(w)["steps"].sort(
        key=lambda s: 0 if "upload-pages-artifact" in str(s.get("uses", "")) else 1),
    "unpinned action": lambda w: deploy_job(w)["steps"][-1].update(uses="actions/deploy-pages@main"),
    "a fixed repository URL": lambda w: job_that_tests(w)["env"].update(TPM_REPOSITORY_URL="https://github.com/o/n"),
    "launch branch from any branch": lambda w: launch_job(w).pop("if"),
    "book before its launch branch": lambda w: deploy_job(w).update(needs="test"),
    "launch branch before the tests": lambda w: launch_job(w).pop("needs"),
    "write rights for the test job": lambda w: job_that_tests(w).update(permissions={"contents": "write"}),
    "a fixed launch branch": lambda w: [s["env"].update(BRANCH="learner") for s in launch_job(w)["steps"]
                                        if "env" in s],
    "no launch tree": lambda w: job_that_tests(w).update(steps=[s for s in job_that_tests(w)["steps"]
                                                                if "launch-tree --out" not in str(s.get("run", ""))]),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_rule_catches_its_mistake(mistake):
    assert workflow_problems(mutate(MISTAKES[mistake])), f"a workflow with '{mistake}' passed"


def test_every_workflow_passes_actionlint():
    actionlint = Path(sys.executable).parent / "actionlint"
    assert actionlint.exists(), "actionlint is not installed: pip install -r requirements.txt"
    files = sorted(str(path) for path in WORKFLOWS.glob("*.y*ml"))
    assert files
    run = subprocess.run([str(actionlint), "-shellcheck=", "-pyflakes=", *files], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("needs: test", "needs: tests"), encoding="utf-8")
    actionlint = Path(sys.executable).parent / "actionlint"
    run = subprocess.run([str(actionlint), "-shellcheck=", "-pyflakes=", str(broken)], capture_output=True, text=True)
    assert run.returncode != 0 and "tests" in run.stdout
