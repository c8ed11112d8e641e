# cx-course-kit: everything runs from a local virtual environment in .venv.
#   make course   set up, then generate/validate the data and execute the course into build/
#   make test     set up, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BUILD  := build

.PHONY: setup data course test lab exercises bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	$(BIN)/python -m ipykernel install --sys-prefix --name cx-course-kit --display-name "Python (cx-course-kit)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# Regenerate the seed-0 data into the build folder and validate every table.
data: setup
	$(BIN)/python -m cxlib.synth --seed 0 --out $(BUILD)/data --check

course: data
	$(BIN)/python -m cxlib.course --out $(BUILD)

test: setup
	$(BIN)/python -m pytest

# Regenerate exercises/ from solutions/ (answers removed, checks kept).
exercises: setup
	$(BIN)/python -m cxlib.exercises

# Benchmarks: cxlib at a million rows and more, and each lesson against the kernel floor.
bench: setup
	$(BIN)/python -m benchmarks

# JupyterLab for students, opening on the landing page; the kit's kernel is registered by setup.
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(if $(filter 0,$(shell id -u)),--allow-root) exercises/START_HERE.md

clean:
	rm -rf $(BUILD)
