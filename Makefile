# camnang: two commands, each doing its own set-up on a fresh machine.
#   make build   site and every printable from guides/ into site/
#   make test    every test (including real Chromium browser tests)
#   make previews  first page of every printable in one PNG (previews/contact-sheet.png)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SITE   := site
export NO_MKDOCS_2_WARNING := 1

.PHONY: build test serve setup clean bench previews system-deps-build system-deps-test

build: $(STAMP) system-deps-build
	@rm -rf .site-new .site-old
	$(BIN)/mkdocs build --quiet --site-dir .site-new
	@# Swap in the new site only when the whole build succeeded.
	@if [ -d $(SITE) ]; then mv $(SITE) .site-old; fi
	@mv .site-new $(SITE) && rm -rf .site-old
	@echo "camnang: site and printables written to $(SITE)/"

test: $(STAMP) system-deps-test
	$(BIN)/python -m pytest -q

serve: $(STAMP) system-deps-build
	$(BIN)/mkdocs serve

bench: $(STAMP) system-deps-build
	$(BIN)/python bench/run.py

previews: $(STAMP) system-deps-build
	$(BIN)/python scripts/previews.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

system-deps-build:
	@scripts/system-deps.sh build

system-deps-test:
	@scripts/system-deps.sh test

clean:
	rm -rf $(SITE) .site-new .site-old .cache previews
