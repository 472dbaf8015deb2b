# Socialized Loss Models — the two commands a learner needs are `make lab` and `make test`.
# Both create .venv and install the locked dependency set (requirements.lock) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
JOBS   ?= 2

.PHONY: lab test test-unit test-notebooks test-browser test-nbgrader notebooks check-sync bench book graded student-release lock clean help

help:
	@echo "make lab        open the course in JupyterLab (notebooks/00-start-here.ipynb)"
	@echo "make test       run every test: units, properties, sync, structure, notebooks (nbval)"
	@echo "make notebooks  regenerate notebooks/ and solutions/ from lessons/ (never overwrites your edits)"
	@echo "make test-browser  the course in a real browser (needs Debian's chromium)"
	@echo "make bench      benchmarks (figures and ratios, not tests)"
	@echo "make book       a static HTML book of the executed lessons (_build/html; HUB=<url> adds a JupyterHub button)"
	@echo "make graded     an nbgrader course folder, one assignment per lesson (nbgrader/)"
	@echo "make student-release DEST=<new folder>  the course without solutions, for a graded term"

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" 2>&1 | grep -v "is ignored" || true
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet -r requirements.lock
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) --ServerApp.root_dir=. $(LAB_ARGS) notebooks/00-start-here.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not browser" $(NBVAL) tests notebooks solutions

test-unit: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not browser" tests

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(NBVAL) notebooks solutions

test-browser: $(STAMP)
	$(BIN)/python -m pytest -m browser -p no:xdist -rs tests/browser -v

notebooks: $(STAMP)
	$(BIN)/python -m socialized_loss.build $(FORCE)

check-sync: $(STAMP)
	$(BIN)/python -m socialized_loss.build --check

bench: $(STAMP)
	$(BIN)/python bench/run.py

book: $(STAMP)
	$(BIN)/python -m socialized_loss.book $(if $(HUB),--hub $(HUB),)

graded: $(STAMP)
	$(BIN)/python -m socialized_loss.graded course nbgrader $(FORCE)

student-release: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make student-release DEST=../class-release (a new folder)"; exit 2; }
	$(BIN)/python -m socialized_loss.graded student-release "$(DEST)"

# The full nbgrader cycle (tests/test_nbgrader.py) in an environment of its own: nbgrader stays out of .venv.
NBG_VENV := .venv-nbgrader
test-nbgrader: $(STAMP)
	test -x $(NBG_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(BIN)/python $(NBG_VENV)
	VIRTUAL_ENV=$(NBG_VENV) $(BIN)/uv pip install --quiet -r requirements.lock
	VIRTUAL_ENV=$(NBG_VENV) $(BIN)/uv pip install --quiet "nbgrader==0.9.6"
	VIRTUAL_ENV=$(NBG_VENV) $(BIN)/uv pip install --quiet --no-deps -e .
	PATH="$(CURDIR)/$(NBG_VENV)/bin:$$PATH" SOCIALIZED_LOSS_REQUIRE_NBGRADER=1 \
	  $(NBG_VENV)/bin/python -m pytest -p no:cacheprovider -rs -s tests/test_nbgrader.py

lock:  # re-resolve requirements.lock from pyproject.toml (maintainers only)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .venv-nbgrader _build nbgrader bench/results test-artifacts
