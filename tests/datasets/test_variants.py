"""Variants for grading on fresh data (``Dataset.make(seed)``), and the
context that makes every expected answer read them (``reading_from``).

A variant keeps each file's columns, size and story, so that honest code
written on the committed data is still right on it: the story is re-checked
here on 20 seeds with the labs' own helpers (the generators keep it with
their own, smaller re-implementations). The committed files themselves are
``seed=None`` (tests/datasets/test_datasets.py proves them byte-identical).
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
import pandas as pd
import pytest

from tpmcourse import datasets
from tpmcourse.datasets import lab1_prioritization as d1
from tpmcourse.datasets import lab3_reliability as d3
from tpmcourse.datasets import lab4_ethics as d4
from tpmcourse.datasets import lab5_planning as d5
from tpmcourse.paths import DATA

STORY_SEEDS = range(1, 21)
BY_FILE = {d.file: d for d in datasets.registered()}


@cache
def variant(file: str, seed: int) -> pd.DataFrame:
    """A variant as the labs read it back (written and read with the file's read options)."""
    import io

    dataset = BY_FILE[file]
    return pd.read_csv(io.StringIO(dataset.make(seed).to_csv(index=False)), **dataset.read_options)


def committed(file: str) -> pd.DataFrame:
    return BY_FILE[file].read()


# --- every file: same shape, other numbers, one variant per seed --------------------------


@pytest.mark.parametrize("file", sorted(BY_FILE), ids=str)
def test_a_variant_has_the_committed_columns_and_size_but_other_values(file):
    base = committed(file)
    for seed in (1, 2):
        other = variant(file, seed)
        assert list(other.columns) == list(base.columns)
        assert list(other.dtypes.astype(str)) == list(base.dtypes.astype(str)), file
        assert 0.9 * len(base) <= len(other) <= 1.1 * len(base), (file, len(base), len(other))
        assert not other.equals(base), f"{file}: the variant of seed {seed} is the committed file"
    assert not variant(file, 1).equals(variant(file, 2))


@pytest.mark.parametrize("file", sorted(BY_FILE), ids=str)
def test_a_seed_always_makes_the_same_variant(file):
    pd.testing.assert_frame_equal(BY_FILE[file].make(3), BY_FILE[file].make(3))


def test_write_all_writes_a_variant_or_some_files(tmp_path):
    written = datasets.write_all(tmp_path / "all", seed=5)
    assert sorted(p.name for p in written) == sorted(BY_FILE)
    assert (tmp_path / "all" / "lab_tasks.csv").read_bytes() != (DATA / "lab_tasks.csv").read_bytes()
    some = datasets.write_all(tmp_path / "some", seed=5, files=["lab_risks.csv", "lab_tasks.csv"])
    assert sorted(p.name for p in some) == ["lab_risks.csv", "lab_tasks.csv"]
    assert (tmp_path / "some" / "lab_risks.csv").read_bytes() == (tmp_path / "all" / "lab_risks.csv").read_bytes()
    with pytest.raises(KeyError, match=r"lab_nothing\.csv"):
        datasets.write_all(tmp_path / "none", seed=5, files=["lab_nothing.csv"])


def test_variant_seeds_are_stable_and_distinct():
    assert datasets.variant_seed(1, "a.csv") == datasets.variant_seed(1, "a.csv")
    assert len({datasets.variant_seed(s, f) for s in range(5) for f in ("a.csv", "b.csv")}) == 10


# --- the stories, on 20 seeds, with the labs' own helpers -----------------------------------


@pytest.mark.parametrize("seed", STORY_SEEDS)
def test_lab1_story(seed):
    from tpmcourse.labs import lab1_prioritization as lab
    from tpmcourse.labs.lab1_prioritization_helpers import (
        best_pick,
        greedy_pick,
        parse_dependencies,
        ranked_ids,
        split_tradeoff,
        with_prerequisites,
    )
    from tpmcourse.prioritization import cost_of_delay, wsjf

    def facts(b: pd.DataFrame) -> tuple[float, float, set[str], float]:
        cod = pd.Series(cost_of_delay(b).to_numpy(), index=b["id"])
        effort = b.set_index("id")["effort"]
        order = ranked_ids(b, wsjf(b))
        greedy = greedy_pick(order, [effort[i] for i in order], lab.SPRINT_WEEKS)
        best = best_pick(list(b["id"]), list(b["effort"]), list(cost_of_delay(b)), lab.SPRINT_WEEKS)
        added = with_prerequisites(best, parse_dependencies(b)) - set(best)
        table = split_tradeoff(b, lab.QUARTER_WEEKS, lab.SHARES)
        return (float(cod[greedy].sum()), float(cod[best].sum()), added,
                float(table["debt_share"].iloc[table["feature_impact"].argmax()]))

    greedy, best, added, share = facts(variant("lab_backlog.csv", seed))
    assert greedy < best, "greedy must lose value to the exact best set (Task 6)"
    assert added, "the best set must need a prerequisite it did not pick (Task 7)"
    assert share != facts(committed("lab_backlog.csv"))[3], "Task 8's best share must differ from the committed one"


@pytest.mark.parametrize("seed", STORY_SEEDS)
def test_lab2_story(seed):
    from scipy.stats import chisquare
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    e = variant("lab_experiment.csv", seed)
    g = e.groupby("variant")
    n, x = g.size(), g["converted"].sum()
    p = proportions_ztest([x["treatment"], x["control"]], [n["treatment"], n["control"]])[1]
    low, _ = confint_proportions_2indep(x["treatment"], n["treatment"], x["control"], n["control"], compare="diff")
    assert p < 0.05 and low > 0, "the checklist's lift is significant (Tasks 6, 7 and the memo)"
    assert chisquare([n["control"], n["treatment"]]).pvalue > 0.05, "no sample ratio mismatch (Task 8)"
    events = variant("lab_events.csv", seed)
    assert events["event_time"].min() >= pd.Timestamp("2025-03-03")
    assert set(events["event"].astype(str)) == {"sign_up", "invoice_sent", "activation", "purchase"}


@pytest.mark.parametrize("seed", STORY_SEEDS)
def test_lab3_story(seed):
    from tpmcourse.checks import row_of
    from tpmcourse.labs import lab3_reliability as lab
    from tpmcourse.labs.lab3_reliability_helpers import (
        AVAILABILITY_SLO,
        LATENCY_TARGET,
        availability,
        dora_bands,
        dora_metrics,
        endpoint_latency,
        share_under,
        team_band,
    )

    log = variant("lab_latency.csv", seed)
    assert share_under(log) < LATENCY_TARGET, "the latency objective is missed (Task 3)"
    assert availability(log) < AVAILABILITY_SLO, "the availability objective is missed (Tasks 4 and 5)"
    slowest = endpoint_latency(log)["endpoint"].iloc[:2]
    assert all(d3.ENDPOINTS[e][4] for e in slowest), "the slowest endpoints read the ledger (Task 2)"
    deps, incs = variant("lab_deployments.csv", seed), variant("lab_incidents.csv", seed)
    assert (incs["severity"] + incs["start"].str[:10]).eq("SEV12025-06-17").sum() == 1, "one SEV1 on 17 June"
    linked = incs.loc[incs["linked_deploy"] != "", "linked_deploy"]
    assert linked.isin(deps.loc[deps["caused_incident"], "deploy_id"]).all() and linked.is_unique
    june = log[(log["timestamp"] >= "2025-06-17 12:06") & (log["timestamp"] < "2025-06-17 13:51")]
    assert (june["status"] >= 500).any(), "the June incident shows in the request log (Task 6)"
    mine = dora_metrics(deps, incs).set_index("service")
    theirs = lab.dora_metrics(lab.DEPLOYMENTS.read(), lab.INCIDENTS.read()).set_index("service")
    team = dora_bands(row_of(mine, "all"))
    assert team == dora_bands(row_of(theirs, "all")), "the team keeps its DORA bands (Task 8)"
    assert team_band(team) == "medium"
    assert mine.drop(index="all").idxmax()[["lead_time_hours", "change_failure_rate"]].eq("ledger-core").all()


@pytest.mark.parametrize("seed", STORY_SEEDS)
def test_lab4_story(seed, tmp_path):
    from tpmcourse.fairness import disparate_impact_ratio
    from tpmcourse.labs import lab4_ethics as lab
    from tpmcourse.labs.lab4_ethics_helpers import window_intensity
    from tpmcourse.privacy import (
        BUSINESS_SECTORS,
        generalize_categories,
        generalize_postcode,
        generalize_year,
        k_anonymity,
        suppress_small_classes,
    )

    users = variant("lab_users.csv", seed)
    assert k_anonymity(users, ["postcode", "owner_birth_date", "owner_gender", "business_type"]) == 1
    kept = ["postcode", "owner_birth_date", "business_type"]
    coarse = users[["merchant_id", *kept]].assign(
        postcode=generalize_postcode(users["postcode"], 1),
        owner_birth_date=generalize_year(pd.to_datetime(users["owner_birth_date"]).dt.year, 10),
        business_type=generalize_categories(users["business_type"], BUSINESS_SECTORS))
    released = suppress_small_classes(coarse, kept, k=lab.TARGET_K)
    assert len(users) - len(released) <= lab.MAX_SUPPRESSED_SHARE * len(users), "the lab's release stays legal"

    screening = variant("lab_screening.csv", seed)
    assert disparate_impact_ratio(screening, lab.GROUP, lab.DECISION) < 0.8, "the model fails the rule (Task 6)"
    datasets.write_all(tmp_path, seed=seed, files=["lab_screening.csv"])
    with datasets.reading_from(tmp_path):
        sweep = lab._reference_sweep()
    assert sweep.apply(lab._meets, axis=1).any(), "some sole traders' threshold meets both limits (Task 8)"

    grid = variant("lab_grid_intensity.csv", seed)
    options = [(window_intensity(grid, r, h, 5), r, h) for r in d4.REGIONS for h in range(24)]
    eu = [o for o in options if d4.REGIONS[o[1]] == "EU"]
    assert d4.REGIONS[min(options)[1]] != "EU" and min(eu)[1] == "eu-north", "residency costs a little (Task 11)"
    jobs = variant("lab_workloads.csv", seed)
    base = committed("lab_workloads.csv")
    assert jobs.drop(columns="avg_power_kw").equals(base.drop(columns="avg_power_kw"))
    assert np.allclose(jobs["avg_power_kw"], base["avg_power_kw"], rtol=0.5)


@pytest.mark.parametrize("seed", STORY_SEEDS)
def test_lab5_story(seed):
    from tpmcourse.labs import lab5_planning as lab
    from tpmcourse.labs.lab5_planning_helpers import critical_path, project_duration, simulate
    from tpmcourse.risk import pert_table, risk_score

    risks = variant("lab_risks.csv", seed)
    table = lab.mitigation_table(risks)
    assert 0 < table["buy"].sum() < len(table), "some mitigations are worth buying, some are not (Task 3)"
    assert risks["likelihood"].between(1, 5).all() and risks["impact"].equals(committed("lab_risks.csv")["impact"])
    assert (risks["probability_after_mitigation"] < risks["probability"]).all()
    score = pd.Series(risk_score(risks).to_numpy(), index=risks["id"])
    costliest = risks["id"].iloc[int(risks["cost_if_occurs"].to_numpy().argmax())]
    assert costliest not in score.nlargest(5).index, "scores hide money"

    tasks = variant("lab_tasks.csv", seed)
    assert (tasks[["id", "task", "team", "predecessors"]] == committed("lab_tasks.csv")[
        ["id", "task", "team", "predecessors"]]).all().all()
    assert ((tasks["optimistic"] <= tasks["most_likely"]) & (tasks["most_likely"] <= tasks["pessimistic"])
            & (tasks["optimistic"] < tasks["pessimistic"])).all()
    means = pert_table(tasks)["mean"].to_numpy()
    assert project_duration(tasks, means) < lab.deadline_days(), "the plan alone finishes in time (Task 6)"
    assert len(critical_path(tasks, means)) >= 5
    on_time = float(np.mean(simulate(tasks, lab.N_SIMS, lab.SEED) <= lab.deadline_days()))
    assert 0.5 < on_time < 0.95, "the forecast is uncertain (Task 8)"


def test_the_restated_constants_agree_with_the_labs():
    from tpmcourse.labs import lab1_prioritization, lab4_ethics, lab5_planning
    from tpmcourse.labs import lab3_reliability_helpers as h3

    assert (d3.LATENCY_THRESHOLD_MS, d3.LATENCY_TARGET, d3.AVAILABILITY_TARGET) == (
        h3.LATENCY_THRESHOLD_MS, h3.LATENCY_TARGET, h3.AVAILABILITY_SLO)
    assert (d4.FOUR_FIFTHS, d4.MAX_EOD, list(d4.SOLE_THRESHOLDS)) == (
        0.8, lab4_ethics.MAX_EOD, lab4_ethics.SOLE_THRESHOLDS)
    assert d1.CAPACITY_WEEKS == lab1_prioritization.SPRINT_WEEKS
    assert d5.deadline_days() == lab5_planning.deadline_days()


# --- reading_from: every read, in this context only ----------------------------------------


@pytest.fixture()
def fresh_folder(tmp_path):
    datasets.write_all(tmp_path, seed=11, files=["lab_risks.csv", "lab_tasks.csv"])
    return tmp_path


def test_reading_from_switches_every_read_and_restores_it(fresh_folder):
    from tpmcourse.labs import lab5_planning as lab

    before, sims = d5.RISKS.read(), lab.reference_simulation()
    with datasets.reading_from(fresh_folder) as folder:
        assert folder == fresh_folder.resolve() and datasets.current_folder() == folder
        pd.testing.assert_frame_equal(d5.RISKS.read(), pd.read_csv(fresh_folder / "lab_risks.csv"))
        assert not np.array_equal(lab.reference_simulation(), sims), "a cached answer leaked into the context"
        with pytest.raises(FileNotFoundError, match=r"lab_backlog\.csv is missing"):
            d1.BACKLOG.read()
    assert datasets.current_folder() == DATA
    pd.testing.assert_frame_equal(d5.RISKS.read(), before)
    assert lab.reference_simulation() is sims, "the course's cached answer was dropped"


def test_reading_from_nests_and_reads_a_rewritten_folder_afresh(fresh_folder, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    datasets.write_all(other, seed=12, files=["lab_risks.csv"])
    with datasets.reading_from(fresh_folder):
        outer = d5.RISKS.read()
        with datasets.reading_from(other):
            assert not d5.RISKS.read().equals(outer)
        pd.testing.assert_frame_equal(d5.RISKS.read(), outer)
    datasets.write_all(fresh_folder, seed=13, files=["lab_risks.csv"])  # the grader reuses a folder
    with datasets.reading_from(fresh_folder):
        assert not d5.RISKS.read().equals(outer)


def test_reading_from_is_per_thread(fresh_folder):
    """Threads grading at the same time each see their own folder (or the course's)."""
    from tpmcourse.checks import evaluate

    course_total = float((d5.RISKS.read()["probability"] * d5.RISKS.read()["cost_if_occurs"]).sum())
    fresh = pd.read_csv(fresh_folder / "lab_risks.csv")
    fresh_total = float((fresh["probability"] * fresh["cost_if_occurs"]).sum())
    barrier = threading.Barrier(2)

    def grade(folder, total):
        costed = pd.read_csv(folder / "lab_risks.csv")
        costed = costed[["id"]].assign(expected_cost=costed["probability"] * costed["cost_if_occurs"])
        with datasets.reading_from(folder):
            barrier.wait()  # both threads are inside their own context now
            return evaluate("planning.expected_cost", costed, total).passed, datasets.current_folder()

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(contextvars.copy_context().run, grade, fresh_folder, fresh_total)
        b = pool.submit(contextvars.copy_context().run, grade, DATA, course_total)
        assert a.result() == (True, fresh_folder.resolve()) and b.result() == (True, DATA.resolve())


def test_reading_from_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no data folder"), datasets.reading_from(tmp_path / "nowhere"):
        pass
