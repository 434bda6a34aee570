# Every target bootstraps its own virtualenv in .venv (override with VENV=...).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test lint typecheck unit demo demo-national bench clean proto

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## make venv: just the virtualenv, with the relay command in .venv/bin.
venv: $(STAMP)

## make test: lint, type-check and the whole test suite (the command CI runs).
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check relay tests tools

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

## make demo: a hub, support points and relay sites on emulated radios.
demo: $(STAMP)
	$(BIN)/relay demo

## make demo-national: 3 region hubs and a national node on a mosquitto started for it.
demo-national: $(STAMP)
	$(BIN)/relay demo-national

## make bench: the size and mesh benchmarks (prints tables).
bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python tools/bench_size.py
	$(BIN)/python tools/bench_codec.py
	$(BIN)/python tools/bench_mesh.py
	$(BIN)/python tools/bench_help.py
	$(BIN)/python tools/bench_scale.py
	$(BIN)/python tools/bench_daemon.py
	$(BIN)/python tools/bench_memory.py
	$(BIN)/python tools/bench_faults.py
	$(BIN)/python tools/bench_screens.py
	$(BIN)/python tools/bench_qr.py
	$(BIN)/python tools/bench_federation.py

## make proto: regenerate relay/wire/proto/*_pb2.py from the .proto schema.
proto: $(STAMP)
	$(BIN)/python tools/gen_proto.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
