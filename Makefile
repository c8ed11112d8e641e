# cx-course-kit: everything runs from a local virtual environment in .venv.
#   make course      set up, then check the data, execute the course into build/ and build the site
#   make test        set up, then run the whole test suite (what CI runs)
#   make test-fast   unit tests and doctests only: no kernels, no browser, no Sphinx
# The other targets call the instructor's command, `cxkit VERB` (`.venv/bin/cxkit --help`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BUILD  := build

.PHONY: setup data course test test-fast lab student exercises notebooks bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	$(BIN)/python -m ipykernel install --sys-prefix --name cx-course-kit --display-name "Python (cx-course-kit)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# Generate the seed-0 business into the build folder and validate every table.
data: setup
	$(BIN)/cxkit synth --seed 0 --out $(BUILD)/data --check

course: setup
	$(BIN)/cxkit course --out $(BUILD)

test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow" tests cxlib

# Regenerate exercises/ from solutions/ (answers removed, checks kept).
exercises: setup
	$(BIN)/cxkit exercises

# Rebuild each lesson's and solution's .ipynb whose MyST source (.md) changed.
notebooks: setup
	$(BIN)/cxkit notebooks

# Benchmarks: cxlib at a million rows and more, and each lesson against the kernel floor.
bench: setup
	$(BIN)/python -m benchmarks

# JupyterLab for students, opening on the landing page, in a student's kit: lessons, exercises and the
# course's data, without solutions/ (cxkit bundle). The kit is made once in lab/kit; your work stays there.
lab: setup
	test -d lab/kit || $(BIN)/cxkit bundle --out lab
	$(BIN)/jupyter lab --ServerApp.root_dir=lab/kit $(if $(filter 0,$(shell id -u)),--allow-root) exercises/START_HERE.md

# A student's kit (folder and zip) for each student of a roster: make student ROSTER=class.csv
student: setup
	$(BIN)/cxkit bundle --roster $(ROSTER) --out $(BUILD)/kits

clean:
	rm -rf $(BUILD)
