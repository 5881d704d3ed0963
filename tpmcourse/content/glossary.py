"""The course glossary, kept as data: one YAML file per chapter in
``course/glossary/``, merged into one sorted page at build time.

Authors add a term by editing YAML, never Python; a malformed entry or a
term defined twice stops the build with the file and the entry named.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tpmcourse.paths import COURSE


class GlossaryError(ValueError):
    """A glossary file that cannot be used; the message names file and entry."""


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    term: str
    definition: str

    @field_validator("term", "definition")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value


def load_file(path: Path) -> list[Term]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GlossaryError(f"{path.name}: not valid YAML ({exc})") from None
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise GlossaryError(f"{path.name}: expected a list of terms, got {type(raw).__name__}")
    terms = []
    for i, entry in enumerate(raw, start=1):
        name = entry.get("term", f"entry {i}") if isinstance(entry, dict) else f"entry {i}"
        try:
            terms.append(Term.model_validate(entry))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors()
            )
            raise GlossaryError(f"{path.name}: term {name!r}: {problems}") from None
    return terms


def load_all(folder: Path = COURSE / "glossary") -> list[tuple[Path, Term]]:
    """Every term of every file, sorted case-insensitively; duplicates are an error."""
    seen: dict[str, Path] = {}
    merged = []
    for path in sorted(folder.glob("*.yml")):
        for term in load_file(path):
            key = term.term.casefold()
            if key in seen:
                raise GlossaryError(
                    f"{path.name}: term {term.term!r} is already defined in {seen[key].name}"
                )
            seen[key] = path
            merged.append((path, term))
    return sorted(merged, key=lambda pair: pair[1].term.casefold())


def as_myst(terms: list[tuple[Path, Term]]) -> str:
    """MyST source of one Sphinx glossary holding every term."""
    lines = ["```{glossary}", ":sorted:", ""]
    for _, term in terms:
        lines.append(term.term)
        lines.extend("  " + line for line in term.definition.splitlines())
        lines.append("")
    lines.append("```")
    return "\n".join(lines)
