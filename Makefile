# Two entry points for a fresh machine (see README):
#   make demo  - set up .venv, then parse, index and search the bundled sample report
#   make test  - set up .venv, then run the whole pytest suite
# torch is installed first, pinned, so pip takes the CPU build from local disk.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_INDEX ?= .demo-index
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test bench clean vendor

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip check
	$(BIN)/python -m evsearch.models.embedder  # verify the bundled weights, build the ONNX int8 export once
	touch $(STAMP)

demo: install
	$(BIN)/evsearch parse samples/sample-report.txt --judgements
	$(BIN)/evsearch index samples/ --index $(DEMO_INDEX)
	$(BIN)/evsearch search "evidence for health adequate grade" --index $(DEMO_INDEX) -k 5
	$(BIN)/evsearch search "support for care leavers" --index $(DEMO_INDEX) -k 5

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/parse_bench.py
	$(BIN)/python benchmarks/embed_bench.py

# Re-vendor the page's charting libraries (needs npm; the results are committed, so a clone needs no npm).
vendor:
	vendor/build.sh

clean:
	rm -rf $(DEMO_INDEX) .pytest_cache
