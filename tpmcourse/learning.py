"""Learning-path arithmetic for Chapters 4 and 5: skills matrices, skills gaps,
study-plan scheduling and the payback of a graduate programme.

Career decisions about degrees and study plans deserve the same explicit,
checkable numbers as a roadmap decision. The helpers here keep that arithmetic
in one tested place so the notebooks can focus on the judgement around it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tpmcourse import validate as v

#: The scale used by the skills-coverage matrix and the skills-gap analysis.
SCALE_MIN, SCALE_MAX = 0, 3

#: Hatches that tell plan tracks apart without relying on colour.
_HATCHES = ("", "//", "..", "xx", "\\\\", "++")


# --------------------------------------------------------------------------- checks


def _check_scores(df: pd.DataFrame, name: str, columns: Sequence[str] | None = None) -> None:
    """Scores (in these columns, or all) are numbers on the course's 0-3 scale."""
    v.require_numeric_columns(df, name, columns, minimum=SCALE_MIN, maximum=SCALE_MAX)


# --------------------------------------------------------------- skills matrix (ch04)
def coverage_summary(matrix: pd.DataFrame, weak_below: float = 2) -> pd.DataFrame:
    """Summarise a majors x competencies matrix scored 0-3: how much of the
    TPM skill set each background covers, and which competencies it leaves
    weak, so a learner sees the gaps to close rather than a single grade.

    ``matrix`` has one row per background (the index) and one numeric column
    per competency. Returns columns ``coverage_pct`` (sum of scores as a share
    of the maximum possible), ``strong`` (count of scores of 3) and ``gaps``
    (competencies scored below ``weak_below``, comma-separated), sorted by
    coverage, highest first.
    """
    matrix = v.require_frame(matrix, "matrix")
    _check_scores(matrix, "matrix")
    weak_below = v.require_number(weak_below, "weak_below")
    maximum = SCALE_MAX * matrix.shape[1]
    out = pd.DataFrame(index=matrix.index)
    out["coverage_pct"] = (matrix.sum(axis=1) / maximum * 100).round(0).astype(int)
    out["strong"] = (matrix == SCALE_MAX).sum(axis=1).astype(int)
    out["gaps"] = [
        ", ".join(str(c) for c in matrix.columns if row[c] < weak_below) or "none"
        for _, row in matrix.iterrows()
    ]
    return out.sort_values("coverage_pct", ascending=False, kind="stable")


def plot_skills_matrix(matrix: pd.DataFrame, title: str, ax=None):
    """Annotated heatmap of a 0-3 matrix: every cell shows its number, so the
    chart is readable without telling colours apart. Returns the Axes."""
    import matplotlib.pyplot as plt

    matrix = v.require_frame(matrix, "matrix")
    _check_scores(matrix, "matrix")
    v.require_text(title, "title")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.8))
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="Blues", vmin=SCALE_MIN, vmax=SCALE_MAX, aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            dark = values[i, j] >= 2
            ax.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", fontsize=11,
                    color="white" if dark else "black", fontweight="bold")
    ax.set_xticks(range(matrix.shape[1]), labels=list(matrix.columns), rotation=30, ha="right")
    ax.set_yticks(range(matrix.shape[0]), labels=list(matrix.index))
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, ticks=range(SCALE_MIN, SCALE_MAX + 1),
                       label="Score (0 = not covered, 3 = core)")
    ax.figure.tight_layout()
    return ax


# ------------------------------------------------------------------ payback (ch04)
def payback_schedule(
    tuition: float,
    study_years: int,
    forgone_income_per_year: float,
    uplift_per_year: float,
    horizon_years: int = 10,
    discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Year-by-year cash position of a degree versus not taking it.

    While studying, each year costs an equal share of ``tuition`` plus any
    ``forgone_income_per_year`` (salary given up to study full time). After
    graduating, each year brings ``uplift_per_year`` (the extra pay the degree
    is assumed to cause). Cash flows are discounted at ``discount_rate`` per
    year (0.05 for 5%). The assumptions are the caller's; the point is to make
    them explicit and testable, not to predict anyone's salary.

    Returns one row per year 1..horizon with ``cash_flow`` and ``cumulative``.
    """
    tuition = v.require_number(tuition, "tuition", minimum=0)
    forgone = v.require_number(forgone_income_per_year, "forgone_income_per_year", minimum=0)
    uplift = v.require_number(uplift_per_year, "uplift_per_year", minimum=0)
    rate = v.require_number(discount_rate, "discount_rate", minimum=0, below=1, hint="a yearly fraction: 0.05 for 5%")
    study_years = v.require_int(study_years, "study_years", minimum=1)
    horizon_years = v.require_int(horizon_years, "horizon_years", minimum=1)
    if horizon_years <= study_years:
        raise v.InputError(f"horizon_years ({horizon_years}) must be longer than study_years ({study_years}), "
                           "so that the years after graduating are counted.")
    years = np.arange(1, horizon_years + 1)
    raw = np.where(years <= study_years, -(tuition / study_years + forgone), uplift)
    flows = raw / (1 + rate) ** years
    return pd.DataFrame(
        {"year": years, "cash_flow": flows.round(0), "cumulative": np.cumsum(flows).round(0)}
    )


def break_even_year(schedule: pd.DataFrame) -> int | None:
    """First year whose cumulative position is zero or better, or ``None`` if
    the degree has not paid for itself within the schedule's horizon."""
    schedule = v.require_frame(schedule, "schedule", ["year", "cumulative"])
    v.require_numeric_columns(schedule, "schedule", ["year", "cumulative"])
    paid = schedule[schedule["cumulative"] >= 0]
    return None if paid.empty else int(paid["year"].iloc[0])


def compare_programs(
    programs: pd.DataFrame, horizon_years: int = 10, discount_rate: float = 0.0
) -> pd.DataFrame:
    """Run :func:`payback_schedule` for several programmes at once.

    ``programs`` needs columns ``program``, ``tuition``, ``study_years``,
    ``forgone_income_per_year`` and ``uplift_per_year``. Returns one row per
    programme with its total outlay, position at the horizon and break-even
    year (``None`` if not reached).
    """
    cols = ["program", "tuition", "study_years", "forgone_income_per_year", "uplift_per_year"]
    programs = v.require_frame(programs, "programs", cols)
    v.require_numeric_columns(programs, "programs", cols[1:])
    rows = []
    for _, p in programs.iterrows():
        sched = payback_schedule(p["tuition"], int(p["study_years"]),
                                 p["forgone_income_per_year"], p["uplift_per_year"],
                                 horizon_years, discount_rate)
        rows.append({
            "program": p["program"],
            "total_outlay": int(p["tuition"] + p["forgone_income_per_year"] * p["study_years"]),
            f"position_year_{horizon_years}": int(sched["cumulative"].iloc[-1]),
            "break_even_year": break_even_year(sched),
        })
    out = pd.DataFrame(rows)
    out["break_even_year"] = out["break_even_year"].astype("Int64")  # <NA> = not within horizon
    return out


# -------------------------------------------------------------- skills gap (ch05)
def skills_gap(levels: pd.DataFrame) -> pd.DataFrame:
    """Gap between current and target level per skill, weighted by how much
    the target role relies on it, largest weighted gap first: the order in
    which to spend study hours.

    ``levels`` needs columns ``skill``, ``current`` and ``target`` (0-3) and may
    have ``weight`` (importance, > 0; default 1). Skills already at or above
    target get a gap of 0, not a negative one: surplus in one skill does not
    pay for a shortfall in another.
    """
    levels = v.require_frame(levels, "levels", ["skill", "current", "target"])
    _check_scores(levels, "levels", ["current", "target"])
    out = levels.copy()
    if "weight" not in out.columns:
        out["weight"] = 1.0
    v.require_numeric_column(out, "weight", "levels", above=0, hint="how much the role relies on the skill")
    if out["skill"].duplicated().any():
        twice = out["skill"][out["skill"].duplicated()].tolist()
        raise v.InputError(f"levels lists skill(s) {twice} twice; keep one row per skill.")
    out["gap"] = (out["target"] - out["current"]).clip(lower=0)
    out["weighted_gap"] = (out["gap"] * out["weight"]).round(2)
    out = out.sort_values(["weighted_gap", "skill"], ascending=[False, True], kind="stable")
    return out[["skill", "current", "target", "weight", "gap", "weighted_gap"]].reset_index(drop=True)


def readiness_pct(levels: pd.DataFrame) -> float:
    """Weighted share of the target profile already reached, in percent
    (100 = every skill at or above target). One number to track week by week."""
    gaps = skills_gap(levels)
    reached = np.minimum(gaps["current"], gaps["target"]) * gaps["weight"]
    wanted = gaps["target"] * gaps["weight"]
    if wanted.sum() == 0:
        raise v.InputError("levels: every target is 0, so there is nothing to be ready for; set the targets first.")
    return round(float(reached.sum() / wanted.sum() * 100), 1)


def plot_skills_gap(levels: pd.DataFrame, title: str, ax=None):
    """Dumbbell chart: a circle at the current level, a diamond at the target
    and a line between them, one row per skill in gap order. Returns the Axes."""
    import matplotlib.pyplot as plt

    gaps = skills_gap(levels).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    y = np.arange(len(gaps))
    ax.hlines(y, gaps["current"], gaps["target"], color="grey", linewidth=2)
    # Hollow diamond (target) around a filled circle (current): both stay visible when equal.
    ax.scatter(gaps["target"], y, marker="D", s=160, facecolors="none", edgecolors="tab:blue",
               linewidths=2, label="Target", zorder=3)
    ax.scatter(gaps["current"], y, marker="o", s=50, color="tab:orange", label="Current", zorder=4)
    for yi, (_, row) in zip(y, gaps.iterrows(), strict=True):
        ax.text(SCALE_MAX + 0.35, yi, f"gap {row['gap']:g} x weight {row['weight']:g}"
                f" = {row['weighted_gap']:g}", va="center", fontsize=9)
    ax.set_yticks(y, labels=list(gaps["skill"]))
    ax.set_xticks(range(SCALE_MIN, SCALE_MAX + 1))
    ax.set_xlim(SCALE_MIN - 0.2, SCALE_MAX + 1.9)
    ax.set_xlabel("Level (0 = none, 3 = can do it unsupervised)")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=9)
    ax.figure.tight_layout()
    return ax


# ---------------------------------------------------------- plan scheduling (ch05)
_PLAN_COLUMNS = ["activity", "track", "start_week", "n_weeks", "hours_per_week"]


def _check_plan(plan: object) -> pd.DataFrame:
    """A study plan: weeks counted from 1 in whole weeks, and some hours in every activity."""
    plan = v.require_frame(plan, "plan", _PLAN_COLUMNS)
    v.require_numeric_columns(plan, "plan", ["start_week", "n_weeks"], minimum=1, whole=True)
    v.require_numeric_column(plan, "hours_per_week", "plan", above=0)
    return plan


def weekly_hours(plan: pd.DataFrame) -> pd.DataFrame:
    """Hours per week and cumulative hours of a study plan whose rows are
    activities with ``activity``, ``track``, ``start_week``, ``n_weeks`` and
    ``hours_per_week``. Use it to check the plan fits the hours you really
    have before you commit to it. Weeks with nothing planned show 0."""
    plan = _check_plan(plan)
    last = int((plan["start_week"] + plan["n_weeks"] - 1).max())
    hours = np.zeros(last)
    for _, row in plan.iterrows():
        start = int(row["start_week"]) - 1
        hours[start:start + int(row["n_weeks"])] += row["hours_per_week"]
    return pd.DataFrame({"week": np.arange(1, last + 1), "hours": hours.round(1),
                         "cumulative_hours": np.cumsum(hours).round(1)})


def hours_by_track(plan: pd.DataFrame) -> pd.DataFrame:
    """Total hours and share of hours per track (for example the experience,
    social and formal tracks of the 70-20-10 model), largest first."""
    plan = _check_plan(plan)
    totals = (plan["n_weeks"] * plan["hours_per_week"]).groupby(plan["track"]).sum()
    out = pd.DataFrame({"hours": totals.round(1), "share_pct": (totals / totals.sum() * 100).round(0)})
    return out.sort_values("hours", ascending=False, kind="stable").rename_axis("track").reset_index()


def plot_plan(plan: pd.DataFrame, title: str):
    """Gantt-like chart of a study plan (one bar per activity, hatched by
    track and labelled with its hours per week) above a line of cumulative
    hours. Returns the Figure."""
    import matplotlib.pyplot as plt

    plan = _check_plan(plan)
    weeks = weekly_hours(plan)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True,
                                      gridspec_kw={"height_ratios": [2.2, 1]})
    tracks = list(dict.fromkeys(plan["track"]))
    for i, (_, row) in enumerate(plan.iloc[::-1].iterrows()):
        k = tracks.index(row["track"])
        top.barh(i, row["n_weeks"], left=row["start_week"] - 0.5, color=f"C{k}", alpha=0.75,
                 hatch=_HATCHES[k % len(_HATCHES)], edgecolor="black")
        top.text(row["start_week"] - 0.35, i, f"{row['hours_per_week']:g} h/wk", va="center",
                 fontsize=8, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    top.set_yticks(range(len(plan)), labels=list(plan["activity"].iloc[::-1]), fontsize=9)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=f"C{k}", alpha=0.75, edgecolor="black",
                             hatch=_HATCHES[k % len(_HATCHES)]) for k in range(len(tracks))]
    top.legend(handles, tracks, title="Track", fontsize=8, loc="upper right")
    top.set_title(title)
    bottom.plot(weeks["week"], weeks["cumulative_hours"], marker="o", color="black")
    marks = sorted({len(weeks) // 3 - 1, 2 * len(weeks) // 3 - 1, len(weeks) - 1} - {-1})
    for _, w in weeks.iloc[marks].iterrows():
        bottom.annotate(f"{w['cumulative_hours']:g} h", (w["week"], w["cumulative_hours"]),
                        textcoords="offset points", xytext=(-10, 8), fontsize=9)
    bottom.set_xlabel("Week")
    bottom.set_ylabel("Cumulative hours")
    bottom.set_xticks(weeks["week"])
    bottom.set_ylim(0, weeks["cumulative_hours"].max() * 1.25)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------- 70-20-10 (ch05)
#: The 70-20-10 rule of thumb as shares of learning time, by plan track.
MODEL_70_20_10 = {"experience": 70, "social": 20, "formal": 10}


def compare_with_70_20_10(plan: pd.DataFrame) -> pd.DataFrame:
    """A plan's hours per track next to the hours the 70-20-10 rule of thumb
    would give the same total, so the question "is this plan all courses?"
    has a number in hours rather than a feeling.

    The plan's tracks must be ``experience``, ``social`` and ``formal``; a
    track the plan lacks shows 0 hours. ``hours_off`` is plan minus model:
    positive means more than the rule of thumb suggests.
    """
    plan = _check_plan(plan)
    unknown = sorted(set(map(str, plan["track"])) - set(MODEL_70_20_10))
    if unknown:
        raise v.InputError(f"plan has track(s) {unknown}; the 70-20-10 model knows only "
                           f"{list(MODEL_70_20_10)}: relabel each activity with one of them.")
    totals = (plan["n_weeks"] * plan["hours_per_week"]).groupby(plan["track"]).sum()
    hours = pd.Series({track: float(totals.get(track, 0.0)) for track in MODEL_70_20_10})
    total = hours.sum()
    model = pd.Series(MODEL_70_20_10, dtype=float)
    out = pd.DataFrame({
        "hours": hours.round(1),
        "share_pct": (hours / total * 100).round(0),
        "model_pct": model,
        "model_hours": (model / 100 * total).round(1),
    })
    out["hours_off"] = (out["hours"] - out["model_hours"]).round(1)
    return out.rename_axis("track").reset_index()
