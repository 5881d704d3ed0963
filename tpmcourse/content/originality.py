"""The course's prose is its own: find any run of ten words copied from the guide.

The course was written from a source guide whose facts we may use but whose
sentences we may not. Its developers have the guide and a shared checker in
``../shared`` beside the repository; someone who clones the course does not,
and may not be given the guide's text. So the repository carries a
*fingerprint* of the guide instead: one short hash per ten-word run of it,
sorted, with no word of the guide in it. The tests check the project against
that fingerprint everywhere, and against the live guide where it exists.

Everything that decides what counts as a copy mirrors
``../shared/tools/seed_overlap.py`` line for line, so that the two never
disagree:

- words are lowercase runs of ``a-z``, ``0-9``, ``$``, ``%`` and ``'`` (a
  curly apostrophe counts as ``'``); anything else (other punctuation,
  Markdown, accented letters, dashes) separates words;
- the guide contributes the ten-word runs of each of its *lines*;
- the project's files are those under it ending in one of ``SUFFIXES``,
  outside hidden folders and ``SKIP_PARTS``; a notebook contributes the
  source of every cell (not its outputs), joined by newlines;
- a run never crosses a blank line or a heading (or a ``#`` comment line):
  text is split into such blocks first;
- overlapping copied runs merge into one finding, as the checker prints them.

Commands (``make fingerprint`` runs the second)::

    python -m tpmcourse.content.originality            # check; exit 1 on a copy
    python -m tpmcourse.content.originality --refresh  # rewrite the fingerprint
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from tpmcourse.paths import ROOT

RUN = 10
"""Words in a run: the checker's default, and the rule the course keeps."""

SHARED = ROOT.parent / "shared"
GUIDE = SHARED / "seed" / "technical-product-manager-guide.txt"
CHECKER = SHARED / "tools" / "seed_overlap.py"
FINGERPRINT = ROOT / "tests" / "fixtures" / "guide_fingerprint.txt"

# The checker's file selection, copied so the two read the same files.
SUFFIXES = frozenset({".md", ".ipynb", ".yml", ".yaml", ".py", ".txt", ".rst", ".html", ".json", ".csv"})
SKIP_PARTS = frozenset({"_build", "node_modules", ".venv", "venv", "__pycache__", "site-packages"})

_WORD = re.compile(r"[a-z0-9$%']+")
_HASH = re.compile(r"[0-9a-f]{16}")
# A domain tag, so these hashes cannot be mistaken for (or matched against)
# plain hashes of the same words made for any other purpose.
_PERSON = b"tpm-guide-run10"
_HASHER = hashlib.blake2b(digest_size=8, person=_PERSON)  # copied per run: faster than a new one
_SHOWN = 160  # the checker truncates what it prints to this many characters

HEADER = f"""\
# Fingerprint of the source guide (../shared/seed/{GUIDE.name}).
# It holds no text of the guide: each line is the blake2b hash (digest_size=8,
# person={_PERSON.decode()!r}), in hex, of one {RUN}-word run of one line of the guide,
# the words normalised as ../shared/tools/seed_overlap.py does (lower case, curly
# apostrophes straight, a word = a run of a-z 0-9 $ % ') and joined by single spaces.
# Sorted, one per line. tests/content/test_originality.py checks the course against it.
# Made by tpmcourse/content/originality.py; refresh it with: make fingerprint
"""


class Finding(NamedTuple):
    """A passage of the project that repeats the guide: the file (relative,
    with forward slashes) and its words, normalised as the checker prints them."""

    file: str
    words: str


def words(text: str) -> list[str]:
    """The checker's words: lower case, a curly apostrophe made straight, and
    every character outside ``a-z 0-9 $ % '`` a separator."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def blocks(text: str) -> list[str]:
    """Paragraphs, split at blank lines and at lines starting with ``#``
    (each such line is a block of its own), so that a run never crosses from
    one heading or paragraph into the next. Same rule as the checker."""
    out: list[str] = []
    cur: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            if cur:
                out.append(" ".join(cur))
            cur = []
            if s:
                out.append(s)
        else:
            cur.append(s)
    if cur:
        out.append(" ".join(cur))
    return out


def run_hash(run: Sequence[str]) -> str:
    """Hash of one run of normalised words. Words never contain spaces, so
    joining them with one space is unambiguous."""
    return _hash_joined(" ".join(run))


def _hash_joined(joined: str) -> str:
    h = _HASHER.copy()
    h.update(joined.encode("utf-8"))
    return h.hexdigest()


def fingerprint(text: str, n: int = RUN) -> set[str]:
    """Hashes of every ``n``-word run of each line of ``text`` (the guide).

    Runs are taken line by line, not paragraph by paragraph, because that is
    how the checker reads the guide: a run that crosses a line break of the
    guide is not one it would report."""
    hashes: set[str] = set()
    for line in text.splitlines():
        ws = words(line)
        hashes.update(run_hash(ws[i:i + n]) for i in range(len(ws) - n + 1))
    return hashes


def file_text(path: Path) -> str:
    """The text of one file as the checker reads it: a notebook is the source
    of its cells (markdown, code and raw; not outputs) joined by newlines."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(raw)
            return "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []))
        except ValueError:
            return raw
    return raw


def _skipped(name: str) -> bool:
    return name in SKIP_PARTS or name.startswith(".")


def project_files(root: Path) -> list[Path]:
    """The files the checker reads under ``root``, in its order.

    The checker lists every path (``rglob``) and then drops those with a
    skipped or hidden part; this walk prunes those folders instead of
    entering them (.venv and node_modules are most of the tree), which
    selects the same files, and does not follow folder symlinks either."""
    root = Path(root)
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not _skipped(d)]
        for name in names:
            path = Path(folder, name)
            if not _skipped(name) and path.suffix in SUFFIXES and path.is_file():
                files.append(path)
    return sorted(files)


def project_texts(root: Path) -> dict[str, str]:
    """The prose the checker reads, per file (relative path with forward slashes)."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): file_text(p) for p in project_files(root)}


def shared_runs(ws: Sequence[str], hashes: set[str], n: int = RUN) -> list[str]:
    """Runs of ``ws`` whose every ``n``-word window is in ``hashes``; windows
    that overlap or touch merge into one run, as in the checker."""
    # Window i is line[start[i]:start[i + n] - 1]: slicing one joined string
    # is the same text as " ".join(ws[i:i + n]), and much faster on big files.
    line = " ".join(ws)
    start = [0, *accumulate(len(w) + 1 for w in ws)]

    def copied(i: int) -> bool:
        return _hash_joined(line[start[i]:start[i + n] - 1]) in hashes

    i, hits = 0, []
    while i <= len(ws) - n:
        if copied(i):
            j = i + n
            while j < len(ws) and copied(j - n + 1):
                j += 1
            hits.append(" ".join(ws[i:j]))
            i = j
        else:
            i += 1
    return hits


def copied_runs(root: Path, hashes: set[str], n: int = RUN) -> list[Finding]:
    """Every passage of the project under ``root`` that repeats ``n`` or more
    words of the fingerprinted guide, one finding per passage, in the
    checker's order."""
    return [Finding(rel, run)
            for rel, text in project_texts(root).items()
            for block in blocks(text)
            for run in shared_runs(words(block), hashes, n)]


def shown(finding: Finding) -> str:
    """One finding as the checker prints it (long runs truncated)."""
    run = finding.words if len(finding.words) <= _SHOWN else finding.words[:_SHOWN - 3] + "..."
    return f'{finding.file}: "{run}"'


def render_fingerprint(hashes: set[str]) -> str:
    """The fingerprint file's text: header, then the hashes sorted, so that a
    refresh from an unchanged guide changes no byte and a diff is readable."""
    return HEADER + "".join(f"{h}\n" for h in sorted(hashes))


def read_fingerprint(path: Path = FINGERPRINT) -> set[str]:
    """The hashes of a fingerprint file; a malformed line is an error rather
    than a silently weaker check."""
    hashes = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not _HASH.fullmatch(line):
            raise ValueError(f"{path}:{number}: not a 16-hex-digit hash: {line[:40]!r}")
        hashes.add(line)
    return hashes


def refresh(guide: Path = GUIDE, out: Path = FINGERPRINT) -> tuple[int, int, int]:
    """Rewrite ``out`` from ``guide``; return (hashes, added, removed)."""
    new = fingerprint(guide.read_text(encoding="utf-8"))
    old = read_fingerprint(out) if out.exists() else set()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_fingerprint(new), encoding="utf-8")
    return len(new), len(new - old), len(old - new)


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the project (exit 1 on a copy) or, with ``--refresh``, rewrite the
    fingerprint from the guide (exit 2 when the guide is not there)."""
    parser = argparse.ArgumentParser(
        prog="python -m tpmcourse.content.originality",
        description=f"Find runs of {RUN}+ words the course shares with the source guide, "
                    "or refresh the guide's fingerprint (make fingerprint).")
    parser.add_argument("root", nargs="?", type=Path, default=ROOT,
                        help="project folder to check (default: the course)")
    parser.add_argument("--refresh", action="store_true",
                        help="rewrite the fingerprint from the guide in ../shared/seed/")
    parser.add_argument("--guide", type=Path, default=GUIDE, help=argparse.SUPPRESS)
    parser.add_argument("--fingerprint", type=Path, default=FINGERPRINT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.refresh:
        if not args.guide.is_file():
            print(f"Cannot refresh the fingerprint: the guide {args.guide} is not there.\n"
                  "It lives in the shared/ folder beside the repository, which only the "
                  "course's developers have; the committed fingerprint is left as it is.",
                  file=sys.stderr)
            return 2
        total, added, removed = refresh(args.guide, args.fingerprint)
        change = f"+{added} -{removed}" if added or removed else "hashes unchanged"
        print(f"Wrote {total} hashes to {_rel(args.fingerprint)} ({change}).")
        return 0

    if not args.fingerprint.is_file():
        print(f"No fingerprint at {args.fingerprint}: run `make fingerprint` where ../shared/seed/ exists.",
              file=sys.stderr)
        return 2
    findings = copied_runs(args.root, read_fingerprint(args.fingerprint))
    for finding in findings:
        print(shown(finding))
    print(f"{len(findings)} run(s) of {RUN}+ words shared with the guide")
    if findings:
        print("Say these passages in the course's own words.", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
