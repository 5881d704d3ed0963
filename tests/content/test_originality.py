"""The course's prose is its own: no run of ten words copied from the guide.

The guide's text is not part of the repository (a clone may not receive it);
its fingerprint is (tests/fixtures/guide_fingerprint.txt, hashes only), so
these tests run on any fresh clone. That the check would catch a copy is
proved with a made-up "guide" below. Only the comparisons with the live guide
and the shared checker in ../shared need that folder, and say so when skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tpmcourse.content import originality
from tpmcourse.content.originality import (
    CHECKER,
    FINGERPRINT,
    GUIDE,
    Finding,
    copied_runs,
    fingerprint,
    project_texts,
    read_fingerprint,
    render_fingerprint,
    shown,
)
from tpmcourse.paths import CHAPTERS, ROOT

# A made-up guide: nothing here comes from the real one.
FAKE_GUIDE = """\
Lanterns on the pier hum a low tune whenever the ferry captain counts gulls aloud before dawn.
Every librarian in the valley keeps one blue pencil for marking maps of rivers nobody has seen.
The harbour's tickets cost $5 and 20% of each fare pays for the keepers' winter coats.
"""
TEN = "hum a low tune whenever the ferry captain counts gulls"
CHAPTER = CHAPTERS / "01_introduction.ipynb"
LIVE = pytest.mark.skipif(
    not (GUIDE.is_file() and CHECKER.is_file()),
    reason=f"compares with the live guide and the shared checker, which are not here "
           f"({GUIDE.parent.parent}); every other originality test still runs")


def course_with(tmp_path: Path, *markdown: str, code: str | None = None) -> Path:
    """A one-chapter course in tmp_path: a copy of chapter 1 with the given
    markdown cells (and code cell) added at its end."""
    root = tmp_path / "course"
    (root / "chapters").mkdir(parents=True)
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    nb["cells"] += [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    if code is not None:
        nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None,
                            "outputs": [], "source": code})
    (root / "chapters" / CHAPTER.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return root


def found(root: Path) -> list[Finding]:
    return copied_runs(root, fingerprint(FAKE_GUIDE))


# --- The course against the committed fingerprint (runs everywhere) ---------------------

def test_the_course_copies_no_ten_word_run_of_the_guide():
    findings = copied_runs(ROOT, read_fingerprint(FINGERPRINT))
    assert findings == [], ("Runs of ten or more words copied from the guide; say them in the "
                            "course's own words:\n" + "\n".join(map(shown, findings)))


def test_the_committed_fingerprint_holds_hashes_only_sorted_and_says_how_it_is_made():
    text = FINGERPRINT.read_text(encoding="utf-8")
    hashes = read_fingerprint(FINGERPRINT)  # raises on any line that is not a hash
    assert len(hashes) > 1000, "the fingerprint is nearly empty: run `make fingerprint`"
    assert text == render_fingerprint(hashes), "not sorted, or the header is not the canonical one"
    assert "make fingerprint" in text and len(text.encode()) < 1_000_000


def test_the_unchanged_chapter_has_no_finding(tmp_path):
    assert found(course_with(tmp_path)) == []


# --- The check catches a copy (made-up guide; runs everywhere) ----------------------------

def test_ten_words_pasted_into_a_chapter_are_found(tmp_path):
    root = course_with(tmp_path, f"Our own sentence, then {TEN} and our own ending.")
    assert found(root) == [Finding(f"chapters/{CHAPTER.name}", TEN)]


def test_nine_words_pasted_are_not_a_copy(tmp_path):
    nine = TEN.rsplit(" ", 1)[0]
    root = course_with(tmp_path, f"Our own sentence, then {nine} and our own ending.")
    assert found(root) == []


@pytest.mark.parametrize("pasted", [
    "HUM a Low TUNE Whenever the FERRY captain Counts GULLS",
    "hum, a low tune; whenever (the ferry) captain — counts gulls!",
    "*hum* a **low tune** whenever the `ferry` captain counts [gulls](../intro.md)",
    "hum a low-tune whenever the ferry-captain counts gulls",
    "hum a low tune\nwhenever the ferry\ncaptain counts gulls",  # a hard-wrapped paragraph
], ids=["case", "punctuation", "markdown", "hyphens", "line-breaks"])
def test_case_punctuation_and_line_breaks_do_not_hide_a_copy(tmp_path, pasted):
    root = course_with(tmp_path, f"As we say: {pasted}.")
    assert [f.words for f in found(root)] == [TEN]


def test_curly_apostrophes_numbers_dollars_and_percents_count_as_words(tmp_path):
    root = course_with(tmp_path, "The Harbour’s tickets cost $5 and 20% of each fare pays.")
    assert [f.words for f in found(root)] == ["the harbour's tickets cost $5 and 20% of each fare pays"]


def test_a_copy_in_a_code_cell_is_found(tmp_path):
    code = f'note = "{TEN}"\n# {TEN.upper()}\n'
    assert [f.words for f in found(course_with(tmp_path, code=code))] == [TEN, TEN]


def test_overlapping_runs_are_one_finding_and_separate_runs_are_two(tmp_path):
    longer = "the pier hum a low tune whenever the ferry captain counts gulls aloud"
    other = "keeps one blue pencil for marking maps of rivers nobody"
    root = course_with(tmp_path, longer, f"{TEN}, as we said, {other}.")
    assert [f.words for f in found(root)] == [longer, TEN, other]


@pytest.mark.parametrize("split", [
    "hum a low tune whenever\n\nthe ferry captain counts gulls",     # two paragraphs
    "hum a low tune whenever\n## the ferry captain counts gulls",    # a heading
    "counts gulls aloud before dawn. Every librarian in the valley",  # across two guide lines
], ids=["blank-line", "heading", "guide-line-break"])
def test_words_split_as_the_checker_splits_them_are_not_one_run(tmp_path, split):
    assert found(course_with(tmp_path, split)) == []


def test_the_files_read_are_the_checkers(tmp_path):
    """Notebooks (every cell's source, not outputs) and text files are read;
    hidden, build and vendored folders and other suffixes (.bib, .js) are not."""
    root = course_with(tmp_path)
    read = ["a.md", "b.yml", "c.yaml", "d.py", "e.txt", "f.rst", "g.html", "h.json", "i.csv",
            "deep/er/j.md"]
    skipped = ["refs.bib", "x.js", "Makefile", ".hidden.md", ".ci/a.md", "_build/a.md",
               "node_modules/a.md", ".venv/a.md", "venv/a.py", "__pycache__/a.py",
               "lib/site-packages/a.py"]
    for name in read + skipped:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{TEN}\n", encoding="utf-8")
    texts = project_texts(root)
    assert sorted(texts) == sorted([*read, f"chapters/{CHAPTER.name}"])
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    assert texts[f"chapters/{CHAPTER.name}"] == "\n".join("".join(c["source"]) for c in nb["cells"])
    assert [f.file for f in found(root)] == sorted(read)


def test_the_fingerprint_is_one_hash_per_ten_word_run_of_each_line_and_no_text():
    hashes = fingerprint(FAKE_GUIDE)
    assert len(hashes) == (17 - 9) + (17 - 9) + (16 - 9)
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)
    body = [ln for ln in render_fingerprint(hashes).splitlines() if not ln.startswith("#")]
    assert body == sorted(hashes)


# --- The command (runs everywhere; never touches the committed fingerprint) -------------

def test_the_command_prints_each_copy_and_exits_1(tmp_path, capsys):
    root = course_with(tmp_path, f"Then {TEN}.")
    fp = tmp_path / "fp.txt"
    fp.write_text(render_fingerprint(fingerprint(FAKE_GUIDE)), encoding="utf-8")
    assert originality.main([str(root), "--fingerprint", str(fp)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f'chapters/{CHAPTER.name}: "{TEN}"', "1 run(s) of 10+ words shared with the guide"]
    assert originality.main([str(course_with(tmp_path / "clean")), "--fingerprint", str(fp)]) == 0


def test_refresh_writes_the_fingerprint_and_is_stable(tmp_path, capsys):
    guide, fp = tmp_path / "guide.txt", tmp_path / "fixtures" / "fp.txt"
    guide.write_text(FAKE_GUIDE, encoding="utf-8")
    assert originality.main(["--refresh", "--guide", str(guide), "--fingerprint", str(fp)]) == 0
    first = fp.read_bytes()
    assert read_fingerprint(fp) == fingerprint(FAKE_GUIDE)
    assert originality.main(["--refresh", "--guide", str(guide), "--fingerprint", str(fp)]) == 0
    assert fp.read_bytes() == first and "hashes unchanged" in capsys.readouterr().out


def test_refresh_without_the_guide_says_so_and_exits_2(tmp_path, capsys):
    fp = tmp_path / "fp.txt"
    argv = ["--refresh", "--guide", str(tmp_path / "shared" / "seed" / "guide.txt"), "--fingerprint", str(fp)]
    assert originality.main(argv) == 2
    assert "not there" in capsys.readouterr().err and not fp.exists()


# --- Against the live guide and the shared checker (only where ../shared exists) --------

def checker_output(root: Path) -> list[str]:
    result = subprocess.run([sys.executable, str(CHECKER), str(root)], check=False,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return result.stdout.splitlines()


def ours(root: Path) -> list[str]:
    findings = copied_runs(root, read_fingerprint(FINGERPRINT))
    return [*map(shown, findings), f"{len(findings)} run(s) of 10+ words shared with the guide"]


@LIVE
def test_the_committed_fingerprint_is_the_guides():
    fresh = fingerprint(GUIDE.read_text(encoding="utf-8"))
    committed = read_fingerprint(FINGERPRINT)
    assert committed == fresh, (f"{len(fresh - committed)} hashes missing, {len(committed - fresh)} "
                                "stale: the guide changed, run `make fingerprint`")


@LIVE
def test_copied_runs_agrees_with_the_shared_checker_on_the_course():
    assert ours(ROOT) == checker_output(ROOT)


@LIVE
def test_copied_runs_agrees_with_the_shared_checker_on_pasted_guide_text(tmp_path):
    """Lines of the real guide pasted (only in tmp_path) into a chapter, its
    code, and files the checker reads or skips: both report the same runs."""
    lines = [ln for ln in GUIDE.read_text(encoding="utf-8").splitlines() if len(ln.split()) > 25]
    a, b, c = lines[0], lines[len(lines) // 2], lines[-1]
    root = course_with(tmp_path, a.upper().replace(" ", ",\n"), f"{b[:80]}\n\n{b[80:]}",
                       code=f"# {c}\nx = {json.dumps(c)}\n")
    for name in ["notes.md", "data/t.csv", "refs.bib", ".hidden/n.md", "_build/n.md"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{a}\n\n{c.replace(chr(39), chr(8217))}\n", encoding="utf-8")
    expected = checker_output(root)
    assert len(expected) > 5, expected
    assert ours(root) == expected
    shutil.rmtree(root)  # no copy of the guide's text is left behind
