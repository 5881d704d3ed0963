"""The learner edition (tpmcourse/content/learner_edition.py): every chapter and
lab rewritten so that JupyterLab renders its citations, cross-references and
glossary terms, and a made-up course for the rules themselves.

Over the real course: no book-only role is left, every citation key and term
comes back with its text, and every link leads somewhere, either to a notebook
written beside it or to a page (and section) of the published book. Over a
made-up course: the forms "Author (Year)" and "(Author, Year)", links by
layout, code left alone, and a clear error for each kind of unknown name.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from tpmcourse.content import learner_edition as le
from tpmcourse.instructor import cli
from tpmcourse.paths import ROOT

BOOK = "https://example.org/tpm/"
COURSE = le.Course(BOOK)
NOTEBOOKS = le.course_notebooks(COURSE)
LAYOUT = le.flat_layout(page.docname for page in NOTEBOOKS)
BOOK_ROLE = re.compile(r"\{(cite(:[a-z]+)?|doc|term|ref|numref)\}`")
SOURCE_ROLE = re.compile(r"\{(?P<role>cite:[pt]|term|doc|ref)\}`(?P<body>[^`]+)`")
# jupyterlab-myst's {abbr}: text, then a title in the last parentheses, which holds none
ABBR = re.compile(r"\{abbr\}(`+)(?P<body>.+?)\1")
ABBR_BODY = re.compile(r"^(?P<text>.+?)\((?P<title>[^()]+)\)$")
LINK = re.compile(r"(?<!!)\[(?P<text>(?:\\.|[^\]\\])+)\]\((?:<(?P<angled>[^>]+)>|(?P<url>[^)\s]+))\)")


def markdown(nb: nbformat.NotebookNode, appendix: bool = True) -> str:
    """The Markdown cells' text (without the closing References cell: ``appendix=False``)."""
    return "\n".join(cell.source for cell in nb.cells
                     if cell.cell_type == "markdown" and (appendix or cell.get("id") != le.APPENDIX_ID))


@pytest.fixture(scope="module")
def editions() -> dict[str, tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """docname -> (the repository's notebook, its learner edition in the flat layout)."""
    found = {}
    for page in NOTEBOOKS:
        nb = nbformat.read(page.path, as_version=4)
        found[page.docname] = nb, le.learner_notebook(nb, page.docname, COURSE, LAYOUT, name=page.path.name)
    return found


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """`tpmcourse notebooks --out DIR`, as a learner runs it."""
    out = tmp_path_factory.mktemp("learner") / "notebooks"
    assert cli.main(["notebooks", "--out", str(out), "--book-url", BOOK]) == 0
    return out


# -- Every chapter and lab --------------------------------------------------------------------


def test_every_chapter_and_lab_is_covered_and_uses_the_roles():
    names = {page.path.relative_to(ROOT).as_posix() for page in NOTEBOOKS}
    repository = {p.relative_to(ROOT).as_posix() for folder in ("chapters", "exercises")
                  for p in (ROOT / folder).glob("*.ipynb")}
    assert names == repository
    used = {m["role"] for page in NOTEBOOKS for m in SOURCE_ROLE.finditer(markdown(nbformat.read(page.path, 4)))}
    assert used == {"cite:p", "cite:t", "term", "doc", "ref"}, "the test no longer sees every role it checks"


def test_no_book_only_role_is_left(editions):
    for docname, (_, edition) in editions.items():
        left = BOOK_ROLE.findall(markdown(edition))
        assert not left, f"{docname}: {left[:5]}"


def test_code_cells_outputs_and_ids_are_untouched(editions):
    for docname, (nb, edition) in editions.items():
        extra = edition.cells[len(nb.cells):]
        assert [c.get("id") for c in extra] in ([], [le.APPENDIX_ID]), docname
        for before, after in zip(nb.cells, edition.cells, strict=False):
            assert (before.get("id"), before.cell_type, before.metadata) == (after.get("id"), after.cell_type,
                                                                              after.metadata), docname
            if before.cell_type == "code":
                assert before == after, docname
        assert edition.metadata["tpmcourse"]["edition"] == "learner"
        nbformat.validate(edition)  # raises ValidationError on an invalid notebook


def test_every_citation_comes_back_with_author_year_and_its_full_entry(editions):
    checked = 0
    for docname, (nb, edition) in editions.items():
        text = markdown(edition)
        titles = [ABBR_BODY.match(m["body"]) for m in ABBR.finditer(text)]
        assert all(titles), f"{docname}: an {{abbr}} jupyterlab-myst cannot read"
        shown = {(t["text"].strip(), t["title"].strip()) for t in titles if t}
        for m in SOURCE_ROLE.finditer(markdown(nb)):
            if not m["role"].startswith("cite"):
                continue
            for key in m["body"].split(","):
                ref = COURSE.references[key.strip()]
                label = f"{ref.names} ({ref.year})" if m["role"] == "cite:t" else f"{ref.names}, {ref.year}"
                assert any(t == label and ref.year in title for t, title in shown), f"{docname}: {key} as {label}"
                assert ref.markdown in text, f"{docname}: {key} is not in the References list"
                checked += 1
    assert checked >= 150


def test_every_term_shows_its_glossary_definition(editions):
    checked = 0
    for docname, (nb, edition) in editions.items():
        text = markdown(edition)
        for m in SOURCE_ROLE.finditer(markdown(nb)):
            if m["role"] != "term":
                continue
            shown, _, name = m["body"].partition(" <")
            name = name.rstrip(">") or shown
            definition = COURSE.terms[name.casefold()].definition
            title = " ".join(definition.replace("(", "[").replace(")", "]").split())
            assert f"{{abbr}}`{shown.strip()} ({title})`" in text, f"{docname}: {m[0]}"
            assert " ".join(definition.split()) in text, f"{docname}: {name} is not in its list of terms"
            checked += 1
    assert checked >= 100


def test_every_link_opens_a_notebook_beside_it_or_a_page_of_the_book(editions, folder):
    pages = COURSE.pages
    local = book = 0
    for docname, (_, edition) in editions.items():
        assert nbformat.read(folder / LAYOUT[docname], as_version=4) == edition
        closing = next((c.source for c in edition.cells if c.get("id") == le.APPENDIX_ID), "")
        urls = [m["angled"] or m["url"] for m in LINK.finditer(markdown(edition, appendix=False))]
        # the closing cell links the book's bibliography and glossary, and the works' own addresses
        urls += [m["angled"] or m["url"] for m in LINK.finditer(closing) if (m["angled"] or m["url"]).startswith(BOOK)]
        for url in urls:
            if url.startswith(BOOK):
                page, _, anchor = url.removeprefix(BOOK).partition("#")
                assert page.endswith(".html") and page.removesuffix(".html") in pages, f"{docname}: {url}"
                assert not anchor or COURSE.labels[anchor][0] == page.removesuffix(".html"), url
                book += 1
            elif url.startswith("#"):
                assert COURSE.labels[url[1:]][0] == docname, f"{docname}: {url}"
                local += 1
            else:
                path, _, anchor = url.partition("#")
                assert "://" not in url and (folder / LAYOUT[docname]).parent.joinpath(path).is_file(), url
                assert not anchor or LAYOUT[COURSE.labels[anchor][0]] == path, url
                local += 1
    assert local >= 40 and book >= 20


def test_links_without_a_layout_go_to_the_book_and_keep_the_source_title(editions):
    nb, _ = editions["chapters/02_responsibilities"]
    alone = le.learner_notebook(nb, "chapters/02_responsibilities", COURSE)
    urls = [m["url"] for m in LINK.finditer(markdown(alone)) if m["url"]]
    assert f"{BOOK}chapters/01_introduction.html" in urls
    assert f"{BOOK}exercises/lab1_prioritization.html" in urls
    assert not [u for u in urls if u.endswith(".ipynb")]
    titled = re.search(r"\{doc\}`([^`<]+?)\s*<01_introduction>`", markdown(nb))
    assert titled and f"[{titled[1]}]({BOOK}chapters/01_introduction.html)" in markdown(alone)


def test_a_learner_edition_is_not_rewritten_twice(editions):
    _, edition = editions["chapters/03_skills_and_tools"]
    again = le.learner_notebook(edition, "chapters/03_skills_and_tools", COURSE, LAYOUT)
    assert again == edition


# -- The rules, on a made-up course ------------------------------------------------------------


BIB = """
@book{solo2001, author = {Solo, Ann}, title = {One Author}, publisher = {P}, year = {2001}}
@article{pair2002, author = {Pair, Bo and Other, Cy}, title = {Two Authors}, journal = {J}, year = {2002}}
@article{many2003, author = {Many, Di and Two, Ed and Three, Fa}, title = {Three Authors}, journal = {J},
  year = {2003}}
@misc{org2004, author = {{Some Org (SO)}}, title = {An Org's Report}, year = {2004}}
"""


def made_up_course(root: Path) -> le.Course:
    (root / "course" / "bib").mkdir(parents=True)
    (root / "course" / "glossary").mkdir()
    (root / "chapters").mkdir()
    (root / "course" / "bib" / "x.bib").write_text(BIB, encoding="utf-8")
    (root / "course" / "glossary" / "x.yml").write_text(textwrap.dedent("""\
        - term: Widget score
          definition: A score (from 1 to 5) of a widget.
        """), encoding="utf-8")
    (root / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: intro
        chapters:
          - file: chapters/one
          - file: chapters/two
          - file: course/bibliography
          - file: course/glossary
        """), encoding="utf-8")
    (root / "intro.md").write_text("# Home\n", encoding="utf-8")
    (root / "course" / "bibliography.md").write_text("# Bibliography\n", encoding="utf-8")
    (root / "course" / "glossary.md").write_text("# Glossary\n", encoding="utf-8")
    for name, title in (("one", "Chapter one"), ("two", "Chapter two")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
            f"# {title}\n\n(sec-{name})=\n## A section of {name}\n\nText.")])
        nbformat.write(nb, root / "chapters" / f"{name}.ipynb")
    return le.Course(BOOK, root)


def rewrite(course: le.Course, source: str, layout: dict[str, str] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source), nbformat.v4.new_code_cell("1")])
    return le.learner_notebook(nb, "chapters/one", course, layout, name="one.ipynb")


@pytest.fixture()
def made_up(tmp_path) -> le.Course:
    return made_up_course(tmp_path)


def test_citations_read_author_year(made_up):
    nb = rewrite(made_up, "{cite:t}`solo2001` and {cite:t}`pair2002`; {cite:p}`many2003,org2004`.")
    text = nb.cells[0].source
    abbrs = [ABBR_BODY.match(m["body"]) for m in ABBR.finditer(text)]
    assert [a["text"].strip() for a in abbrs if a] == [
        "Solo (2001)", "Pair and Other (2002)", "Many et al., 2003", "Some Org (SO), 2004"]
    assert next(a["title"] for a in abbrs if a) == "Ann Solo. One Author. P, 2001."
    assert re.fullmatch(r"\{abbr\}`[^`]+` and \{abbr\}`[^`]+`; \(\{abbr\}`[^`]+`; \{abbr\}`[^`]+`\)\.", text), text
    references = nb.cells[-1]
    assert references.id == le.APPENDIX_ID and references.source.startswith("## References")
    listed = [line for line in references.source.splitlines() if line.startswith("- ")]
    assert [line.split("\\.")[0] for line in listed] == ["- Di Many, Ed Two, and Fa Three", "- Bo Pair and Cy Other",
                                                        "- Ann Solo", "- Some Org \\(SO\\)"]
    assert "*One Author*" in references.source
    assert f"[bibliography]({BOOK}course/bibliography.html)" in references.source


def test_terms_carry_their_definition_without_parentheses(made_up):
    nb = rewrite(made_up, "A {term}`widget score` and a {term}`score <Widget score>`.")
    assert nb.cells[0].source == ("A {abbr}`widget score (A score [from 1 to 5] of a widget.)` and a "
                                  "{abbr}`score (A score [from 1 to 5] of a widget.)`.")
    assert "- **Widget score**: A score (from 1 to 5) of a widget." in nb.cells[-1].source


def test_links_follow_the_layout(made_up):
    source = "See {doc}`two`, {doc}`the other <../chapters/two>`, {ref}`sec-two`, {ref}`here <sec-one>`."
    beside = rewrite(made_up, source, {"chapters/one": "one.ipynb", "chapters/two": "two.ipynb"})
    assert beside.cells[0].source == ("See [Chapter two](two.ipynb), [the other](two.ipynb), "
                                      "[A section of two](two.ipynb#sec-two), [here](#sec-one).")
    nested = rewrite(made_up, source, {"chapters/one": "a/one.ipynb", "chapters/two": "b/two.ipynb"})
    assert "[Chapter two](../b/two.ipynb)" in nested.cells[0].source
    alone = rewrite(made_up, source)
    assert alone.cells[0].source == (f"See [Chapter two]({BOOK}chapters/two.html), [the other]({BOOK}chapters/"
                                     f"two.html), [A section of two]({BOOK}chapters/two.html#sec-two), "
                                     "[here](#sec-one).")
    assert len(alone.cells) == 2, "nothing cited, no term: no closing cell"


def test_code_is_left_alone(made_up):
    source = "Write `` {term}`x` `` like this:\n\n```md\n{cite:p}`nosuchkey`\n```\n\n{term}`widget score`"
    text = rewrite(made_up, source).cells[0].source
    assert "`` {term}`x` ``" in text and "```md\n{cite:p}`nosuchkey`\n```" in text
    assert text.endswith("{abbr}`widget score (A score [from 1 to 5] of a widget.)`")
    directive = rewrite(made_up, "```{note}\nSee {doc}`two`.\n```").cells[0].source
    assert directive == f"```{{note}}\nSee [Chapter two]({BOOK}chapters/two.html).\n```"


@pytest.mark.parametrize("source, why", [
    ("{cite:p}`solo2001,nosuchkey2099`", "no entry 'nosuchkey2099' in course/bib"),
    ("{cite:t}`solo2001,`", "expected keys separated by commas"),
    ("{doc}`Chapter <nosuchpage>`", "no page 'chapters/nosuchpage' in the book's _toc.yml"),
    ("{ref}`nosuchlabel`", "no target (nosuchlabel)="),
    ("{term}`nosuchterm`", "no term 'nosuchterm' in course/glossary"),
    ("{numref}`sec-two`", "no rendering for this role"),
])
def test_an_unknown_name_is_an_error_naming_the_notebook_and_the_role(made_up, source, why):
    with pytest.raises(le.LearnerEditionError) as error:
        rewrite(made_up, f"Some text, then {source}.")
    assert str(error.value).startswith(f"one.ipynb: {source}: ") and why in str(error.value), str(error.value)


@pytest.mark.parametrize("repository, book", [
    ("https://github.com/tpm-hands-on/tpm-hands-on", "https://tpm-hands-on.github.io/tpm-hands-on/"),
    ("https://github.com/A-Fork/course.git", "https://a-fork.github.io/course/"),
    ("https://github.com/someone/someone.github.io", "https://someone.github.io/"),
    ("https://gitlab.com/group/course", "https://group.gitlab.io/course/"),
])
def test_the_book_is_where_pages_publishes_the_repository(repository, book):
    assert le.pages_url(repository) == book


def test_an_unknown_host_or_book_url_is_a_clear_error():
    with pytest.raises(le.LearnerEditionError, match="give the book's URL"):
        le.pages_url("https://git.example.edu/course/tpm")
    with pytest.raises(le.LearnerEditionError, match="not a web address"):
        le.checked_book_url("tpm.example.org")
    assert le.checked_book_url("https://tpm.example.org/book") == "https://tpm.example.org/book/"


# -- The command ------------------------------------------------------------------------------


def test_the_command_keeps_a_learners_work_unless_forced(folder, capsys):
    mine = folder / "02_responsibilities.ipynb"
    work = nbformat.read(mine, as_version=4)
    work.cells.append(nbformat.v4.new_code_cell("my_answer = 42"))
    nbformat.write(work, mine)
    assert cli.main(["notebooks", "--out", str(folder), "--book-url", BOOK]) == 0
    out = capsys.readouterr().out
    assert f"Kept {len(NOTEBOOKS)} notebook(s)" in out and "02_responsibilities.ipynb" in out and "--force" in out
    assert "my_answer = 42" in mine.read_text(encoding="utf-8")
    mine.unlink()
    assert cli.main(["notebooks", "--out", str(folder), "--book-url", BOOK]) == 0
    assert "Wrote 1 notebook(s)" in capsys.readouterr().out
    assert "my_answer" not in mine.read_text(encoding="utf-8")
    (folder / "01_introduction.ipynb").write_text("{}", encoding="utf-8")
    assert cli.main(["notebooks", "--out", str(folder), "--book-url", BOOK, "--force"]) == 0
    assert f"Wrote {len(NOTEBOOKS)} notebook(s)" in capsys.readouterr().out
    assert json.loads((folder / "01_introduction.ipynb").read_text(encoding="utf-8"))["cells"]


def test_the_command_links_to_the_repositorys_book_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("TPM_REPOSITORY_URL", "https://github.com/a-fork/tpm")
    assert cli.main(["notebooks", "--out", str(tmp_path / "nb")]) == 0
    text = (tmp_path / "nb" / "01_introduction.ipynb").read_text(encoding="utf-8")
    assert "https://a-fork.github.io/tpm/course/running-example.html" in text


@pytest.mark.parametrize("args, message", [
    (["--book-url", "not a url"], "not a web address"),
    (["--book-url", BOOK, "--out-is-a-file"], "is a file, not a folder"),
])
def test_the_command_says_what_is_wrong_without_a_traceback(tmp_path, capsys, args, message):
    out = tmp_path / "nb"
    if "--out-is-a-file" in args:
        args = [a for a in args if a != "--out-is-a-file"]
        out.write_text("x", encoding="utf-8")
    assert cli.main(["notebooks", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
