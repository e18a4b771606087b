# camnang: two commands, each doing its own set-up on a fresh machine.
#   make build   site and every printable from guides/ into site/
#   make test    ruff, then every test but the exhaustive `slow` proofs
#                (including real Chromium browser tests and real builds)
#   make check   ruff and the fast in-process tests, for the edit loop (< 2 min)
#   make test-slow  the exhaustive layout proofs `make test` samples
#   make previews  every page of the printables already built, one PNG per kind
#                (previews/index.html); TEAM=goi-to/<ma_to> adds that team's pack
#
# Dependencies are installed at the exact versions of constraints.txt
# (regenerate it with scripts/freeze-constraints.sh, see README).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# A second venv with ProperDocs in place of MkDocs (tests/test_engine_forks.py).
FORK_VENV  := .venv-fork
FORK_STAMP := $(FORK_VENV)/.installed
SITE   := site
export NO_MKDOCS_2_WARNING := 1

.PHONY: build test check test-slow lint serve setup clean bench previews system-deps-build system-deps-test

# One build at a time per folder (.camnang.lock); MkDocs writes into a
# new folder that replaces site/ in one atomic step only when the whole
# build succeeded (src/camnang/sitebuild.py). Every warning is shown.
build: $(STAMP) system-deps-build
	@$(BIN)/python -m camnang.sitebuild

# Test tiers (pytest markers in pyproject.toml, tests/conftest.py):
# `check` leaves out what needs Chromium (browser) or a real build in a
# subprocess or of the bundled site (build); `test` leaves out only the
# exhaustive proofs (slow), which it runs on a sample; `test-slow` runs them.
# Two pytest-xdist workers (one a core), each test file on one worker
# (its module fixtures made once); tests/conftest.py shares the cache and
# the bundled site between them. JOBS=1 runs in one process. `check` too
# runs on two workers: 61 s against 126 s in one process on a slow 2-core
# machine (2026-12-03). pytest-xdist hands out the files with the most
# tests first: the bundled site is built by the first worker that needs it
# while the other runs files that do not (a fixed order putting the Dask
# and team-pack files beside the site build was slower: 767 s with this
# order and fewer tests, 745 s without; 2026-12-04);
# CAMNANG_TEST_TIMELINE=FILE logs each test's phases, and
# scripts/test-timeline.py sums them per file and worker).
JOBS ?= 2
test: lint $(FORK_STAMP) system-deps-test
	$(BIN)/python -m pytest -q --durations=15 -m "not slow" -n $(JOBS) --dist loadfile

check: lint
	$(BIN)/python -m pytest -q --durations=5 -m "not slow and not build and not browser" -n $(JOBS) --dist loadfile

test-slow: $(STAMP) system-deps-test
	$(BIN)/python -m pytest -q --durations=5 -m slow

lint: $(STAMP)
	$(BIN)/ruff check .

serve: $(STAMP) system-deps-build
	$(BIN)/mkdocs serve

bench: $(STAMP) system-deps-build
	$(BIN)/python bench/run.py $(ARGS)

previews: $(STAMP) system-deps-build
	$(BIN)/python scripts/previews.py $(TEAM)

setup: $(STAMP) $(FORK_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip==26.3'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,dask]'
	@touch $@

# The same packages with ProperDocs 1.6.7 (a maintained fork of MkDocs 1.x)
# and MkDocs itself removed, so the fork is the only engine there.
$(FORK_STAMP): pyproject.toml constraints.txt
	test -x $(FORK_VENV)/bin/python || $(PYTHON) -m venv $(FORK_VENV)
	$(FORK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip==26.3'
	$(FORK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[fork]'
	$(FORK_VENV)/bin/python -m pip uninstall --quiet --disable-pip-version-check -y mkdocs
	@touch $@

system-deps-build:
	@scripts/system-deps.sh build

system-deps-test:
	@scripts/system-deps.sh test

clean:
	rm -rf $(SITE) .site-build-* .site-new .site-old .cache .camnang.lock previews
