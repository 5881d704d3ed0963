# Two commands do all the set-up on a fresh machine: `make book` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book
BUILD_FLAGS := -W -n --keep-going

.PHONY: book test check outputs serve clean install chromium data bench pdf

NPM_STAMP := node_modules/.installed

$(STAMP): requirements.txt constraints.txt pyproject.toml $(NPM_STAMP)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Front-end files the book serves itself (KaTeX CSS and fonts, the widget manager),
# pinned in package-lock.json; node also typesets the math at build time, and runs
# Lighthouse (a development dependency) over the built book in `make test` and `make bench`.
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else echo "Node.js and npm are needed for KaTeX and the widget manager: install them (e.g. 'sudo apt-get install nodejs npm')"; exit 1; fi; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP)

# The browser tests drive the system Chromium (Debian package `chromium`);
# installed here when run as root and missing (.ci/run does the same).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "The browser tests need Chromium: install it (e.g. 'sudo apt-get install chromium')"; exit 1; fi; }

# `tpmcourse grade` runs each submission inside bubblewrap (Debian package
# `bubblewrap`) and refuses to grade without it; installed here when run as
# root and missing (.ci/run does the same).
.PHONY: sandbox
sandbox:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; \
	  else echo "Grading submissions needs bubblewrap: install it (e.g. 'sudo apt-get install bubblewrap')"; exit 1; fi; }

# The book is rebuilt only when one of its sources changed (make's own
# dependency tracking), and then incrementally by Sphinx.
BOOK_SOURCES := intro.md _config.yml _toc.yml package-lock.json $(shell find chapters exercises course _static tpmcourse \
	-type f \( -name '*.ipynb' -o -name '*.md' -o -name '*.yml' -o -name '*.bib' -o -name '*.py' \
	-o -name '*.js' -o -name '*.css' -o -name '*.svg' \) -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*')
HTML := _build/html
# make book TPM_HIDE_SOLUTIONS=1: a term's book without model answers (tpmcourse/book/solutions.py),
# built beside the normal one, in _build/term/_build/html.
ifeq ($(TPM_HIDE_SOLUTIONS),1)
HTML := _build/term/_build/html
BUILD_FLAGS += --path-output _build/term
endif
BOOK := $(HTML)/.built

$(BOOK): $(STAMP) $(BOOK_SOURCES)
	$(JB) build . $(BUILD_FLAGS)
	touch $@

# A term's book, which `make test` builds beside the book (the two builds run at once)
# and tests for leaked answers (tests/book/test_term_build.py).
TERM_BOOK := _build/term/_build/html/.built
ifneq ($(TPM_HIDE_SOLUTIONS),1)
$(TERM_BOOK): $(STAMP) $(BOOK_SOURCES)
	TPM_HIDE_SOLUTIONS=1 $(JB) build . $(BUILD_FLAGS) --path-output _build/term
	touch $@
endif

## make book: set up if needed, then build the HTML book into _build/html
## (TPM_HIDE_SOLUTIONS=1: a term's book without model answers, into _build/term/_build/html)
book: $(BOOK)
	@echo
	@echo "The book is built. Open: file://$(CURDIR)/$(HTML)/index.html  (or run: make serve)"

## make lint: ruff and mypy over the code, as configured in pyproject.toml, and actionlint over
## .github/workflows (shellcheck and pyflakes off, so that every machine runs the same checks)
.PHONY: lint
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/actionlint -shellcheck= -pyflakes=

## make test: set up if needed; lint, and build the book, a term's book and the PDF (warnings as
## errors) side by side; then run every test on every core (JOBS=1 for one process)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST = $(BIN)/python -m pytest tests chapters exercises --nbval --nbval-current-env \
	--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider -n $(JOBS)
test: $(STAMP) chromium sandbox
	$(MAKE) --no-print-directory -j$(JOBS) --output-sync=target lint $(BOOK) $(TERM_BOOK) $(PDF)
	$(PYTEST)

## make check: the loop to run on every change, under two minutes warm on 2 cores: lint, then every test
## and notebook except the three slow tiers (browser, built book, sandboxed grading), which make test runs
check: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(PYTEST) -m "not browser and not book and not grading"

## make outputs: re-execute every notebook and store its outputs (and widget state)
outputs: $(STAMP)
	$(BIN)/tpmcourse outputs

## make notebooks: the learner edition of every chapter and lab in _build/notebooks (NOTEBOOKS=DIR for
## another folder), to open in JupyterLab: citations, links between notebooks and glossary terms work
## there; a notebook already in the folder is kept (it may hold your work; make clean deletes _build)
NOTEBOOKS ?= _build/notebooks
.PHONY: notebooks
notebooks: $(STAMP)
	$(BIN)/tpmcourse notebooks --out $(NOTEBOOKS)

## make data: regenerate the generated data files in data/ from fixed seeds
data: $(STAMP)
	$(BIN)/tpmcourse data

## make fingerprint: refresh tests/fixtures/guide_fingerprint.txt from the guide in ../shared/seed/
.PHONY: fingerprint
fingerprint: $(STAMP)
	$(BIN)/python -m tpmcourse.content.originality --refresh

## make bench: the metrics lab at 10^4..10^7 events; grading 30, 100 and 300 submissions; the book's build, load and tests;
## each page's weight (requests, raw and gzip bytes) and Lighthouse's scores
bench: $(STAMP) chromium
	$(BIN)/python -m tpmcourse.bench

# The whole course as one PDF (tpmcourse/book/pdf.py): a singlehtml build beside the html build,
# sharing its Sphinx environment (so it only writes), printed by the system Chromium.
# With TPM_HIDE_SOLUTIONS=1, a term's book, in _build/term/pdf/.
PDF_ROOT := $(if $(filter 1,$(TPM_HIDE_SOLUTIONS)),_build/term,.)
PDF := $(PDF_ROOT)/$(if $(filter 1,$(TPM_HIDE_SOLUTIONS)),pdf,_build/pdf)/tpm-hands-on.pdf

$(PDF): $(BOOK) | chromium
	$(BIN)/python -m tpmcourse.book.pdf --out $@ --build-root $(PDF_ROOT)

## make pdf: the whole course as one PDF, _build/pdf/tpm-hands-on.pdf (contents, bookmarks, page numbers; no solutions)
pdf: $(PDF)

## make serve: preview the built book on http://127.0.0.1:8000
serve: book
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory $(HTML)

clean:
	rm -rf _build .pytest_cache
