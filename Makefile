# Two commands do everything on a fresh machine:  `make book`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The genuine MNIST beside the checkout, when there is one; otherwise Keras downloads it.
CNNBOOK_DATA_DIR ?= $(if $(wildcard ../shared/data/mnist.npz),$(abspath ../shared/data))
export CNNBOOK_DATA_DIR
# Build strictly: every warning (a stderr line in a cell, a broken reference) is an error.
# --all re-reports the warnings of pages that did not change; the execution cache still
# spares unchanged notebooks.
JB_FLAGS ?= --all -W -n --keep-going

.PHONY: book pdf audit test unit lint clean bench browser-deps linkcheck translations

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The npm packages pinned by tests/browser/package-lock.json: MathJax, which the book serves
# from _static/mathjax (so formulas render offline), and axe-core for the browser tests.
# Installed when npm is there; without npm the pages load MathJax from its CDN, and the browser
# tests skip (under CI they fail).
BROWSER_NPM := tests/browser/node_modules/.package-lock.json

# The English edition into _build/html, then the Korean one (한국어판) into _build/html/ko from
# the same sources and the same execution cache: nothing runs again (cnnbook/editions.py);
# then the whole book as one PDF per edition (the `pdf` target).
book: $(BIN)/.installed $(if $(shell command -v npm),$(BROWSER_NPM))
	$(BIN)/jupyter-book build . --builder html $(JB_FLAGS)
	$(BIN)/python -m cnnbook.editions ko
	@$(MAKE) --no-print-directory pdf

# The English messages of every page (_build/gettext/<page>.pot, nothing executed), merged into
# the Korean catalogues locales/ko/LC_MESSAGES/<page>.po: new messages empty, changed ones
# fuzzy. Then the list of what is left to translate (tests/test_translations.py fails on it).
translations: $(BIN)/.installed
	rm -rf _build/gettext
	$(BIN)/python -m cnnbook.editions gettext _build/gettext
	$(BIN)/sphinx-intl update --pot-dir _build/gettext --language ko --locale-dir locales
	$(BIN)/python -m cnnbook.catalogues --tidy locales/ko/LC_MESSAGES
	$(BIN)/python -m cnnbook.catalogues _build/gettext locales/ko/LC_MESSAGES || true

# The whole book as one PDF per built edition, `_static/cnnbook.pdf` in each (cnnbook/pdf.py):
# printed by Chromium from the built pages, so nothing is executed or built again. `make book`
# runs it; alone, it prints the built book again. Needs Chromium and the npm copy of MathJax
# (`make browser-deps`): without them the PDFs are skipped with the reason, except under CI.
PDF_EDITIONS ?= _build/html $(wildcard _build/html/ko)
pdf: $(BIN)/.installed
	$(BIN)/python -m cnnbook.pdf $(PDF_EDITIONS)

# The publishing workflow (.github/workflows) audited by zizmor, pinned in requirements.txt:
# any finding of medium severity or above fails (an action not pinned to a commit, a write
# permission wider than a job needs, persisted credentials, an injectable expression, ...).
audit: $(BIN)/.installed
	$(BIN)/zizmor --offline --min-severity medium .github/workflows

test: book $(if $(shell command -v npm),$(BROWSER_NPM))
	$(BIN)/python -m pytest

# The tests that need no built book, without building it: for work on the package.
unit: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not built_book and not browser"

$(BROWSER_NPM): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

# Everything the browser tests need besides requirements.txt: the npm packages, and Debian's
# chromium (installed with apt-get when this runs as root; otherwise it says what to do).
# CNNBOOK_CHROMIUM names another Chromium or Chrome binary instead of /usr/bin/chromium.
CNNBOOK_CHROMIUM ?= /usr/bin/chromium
browser-deps: $(BROWSER_NPM)
	@test -x "$(CNNBOOK_CHROMIUM)" || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
	  && apt-get install -y -qq chromium fonts-nanum; } \
	  || { echo "the browser tests need chromium: sudo apt-get install chromium"; exit 1; }

# External links: Sphinx's linkcheck over every page (needs the internet; CI lists them instead,
# in _build/external_links.txt). Report: _build/linkcheck/output.txt (moved out of the site).
linkcheck: $(BIN)/.installed
	$(BIN)/jupyter-book build . --builder linkcheck; status=$$?; mkdir -p _build/linkcheck; \
	  mv -f _build/html/output.txt _build/html/output.json _build/linkcheck/ 2>/dev/null; \
	  cat _build/linkcheck/output.txt; exit $$status

lint: $(BIN)/.installed
	$(BIN)/ruff check code tests

clean:
	rm -rf _build

# Benchmark (not a test): a cold build (deletes _build, retrains everything), warm and prose-only
# rebuilds, training seconds per epoch, peak memory, and the lecture's own training code against
# ours (3 epochs of MLP and CNN each), the CNN's achieved GFLOP/s beside an fp32 matmul's. Its
# duration: see README (Benchmark). BENCH_FLAGS=--quick: a smoke test.
BENCH_FLAGS ?= --cold 1 --repeat 3 --edits --epochs --lecture 3 --gflops
bench: $(BIN)/.installed
	$(BIN)/python tests/benchmarks/build_times.py $(BENCH_FLAGS)
