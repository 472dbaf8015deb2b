# Socialized Loss Models — a learner needs two commands: `make lab` and `make test` (and `make update` for news).
# Every target calls tools/course.py, which also runs without make (Windows: `py tools\course.py lab`).
# `make lab` installs the learner set (requirements.lock, no test tools); `make test` adds the dev set
# (requirements-dev.lock). Both locks are universal (Linux, macOS, Windows) and hashed.

PYTHON ?= python3
COURSE := $(PYTHON) tools/course.py
BIN    := .venv/bin
JOBS   ?= 2
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PRISTINE := _build/pristine

.PHONY: lab test update dev-env lint doctest test-unit test-notebooks test-browser notebooks check-sync bench book \
        lock clean help

help:
	@echo "make lab        open the course in JupyterLab (first run installs .venv)"
	@echo "make test       every test: ruff, doctests, units, properties, sync, every notebook (on fresh copies)"
	@echo "make update     get the new version of the course; your edited notebooks are kept in my-work/<date-time>/"
	@echo "make notebooks  regenerate notebooks/ and solutions/ from lessons/ (maintainers; never overwrites edits)"
	@echo "make check-sync maintainers: the working tree is exactly what lessons/ build (CI runs it)"
	@echo "make test-browser  the course in a real browser (needs Debian's chromium)"
	@echo "make bench      benchmarks (figures and ratios, not tests)"
	@echo "make book       a static HTML book of the executed lessons (_build/html)"

lab:
	$(COURSE) lab $(LAB_ARGS)

test:
	JOBS=$(JOBS) $(COURSE) test

update:
	$(COURSE) update

# the dev set; the old stamp name stays a target so `make .venv/.installed` keeps working
dev-env .venv/.installed:
	@$(COURSE) install --dev

lint: dev-env
	$(BIN)/python -m ruff check helpers tests bench

doctest: dev-env
	$(BIN)/python -m pytest -q --doctest-modules helpers/socialized_loss

test-unit: dev-env
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not browser" tests

test-notebooks: dev-env
	$(BIN)/python -m socialized_loss.sync pristine $(PRISTINE)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(NBVAL) $(PRISTINE)/notebooks $(PRISTINE)/solutions

test-browser: dev-env
	$(BIN)/python -m pytest -m browser -p no:xdist -rs tests/browser -v

notebooks: dev-env
	$(BIN)/python -m socialized_loss.build $(FORCE)

check-sync: dev-env
	$(BIN)/python -m socialized_loss.build --check

bench: dev-env
	$(BIN)/python bench/run.py

book: dev-env
	$(BIN)/python -m socialized_loss.book

# Maintainers: re-resolve both locks after changing dependencies in pyproject.toml. The dev set is resolved first;
# the learner set is then held to the same versions (-c) and leaves out what tools/runtime-overrides.txt lists.
lock: dev-env
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
	  -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	  -c requirements-dev.lock --override tools/runtime-overrides.txt -o requirements.lock

clean:
	rm -rf .venv .venv-nbgrader .venv-nomake _build bench/results test-artifacts
