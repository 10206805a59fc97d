# Feedforward: `make lab` opens the notebooks, `make test` runs every check.
SHELL := /bin/bash
GO ?= go
ROOT := $(CURDIR)
BIN := $(ROOT)/bin
PY := $(BIN)/python-jupyter
export PATH := $(BIN):$(PATH)
export GOMLX_NO_AUTO_INSTALL := 1

.PHONY: setup lab test test-go test-notebooks figures bench vet clean help

help:
	@echo "make lab      - set up, then open JupyterLab on notebooks/ with the Go (gonb) kernel"
	@echo "make test     - set up, then go vet, go test ./... and every notebook in quick mode"
	@echo "make figures  - run every notebook at the homework's full specification into build/"
	@echo "make bench    - Go benchmarks of the packages"
	@echo "make setup    - (idempotent) build Go tools into bin/, Jupyter into .venv/ if needed, register the kernel,"
	@echo "                install the XLA CPU plugin when it works here"

setup:
	@scripts/setup.sh

# LAB_ARGS passes options to JupyterLab, e.g. make lab LAB_ARGS="--no-browser --port 8890".
LAB_ARGS ?=
lab: setup
	cd notebooks && $(PY) -m jupyterlab --notebook-dir=$(ROOT)/notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Unit tests build many small graphs, which SimpleGo compiles instantly and XLA does not; so
# they run on SimpleGo, while pkg/backend's tests compare XLA with SimpleGo explicitly (they
# skip when no plugin is installed, and fail instead when FEEDFORWARD_REQUIRE_XLA=1, as in CI).
test-go:
	GOMLX_BACKEND=go $(GO) test -count=1 ./...
	@# The portable GEMM kernels, as on a machine without AVX2 (the run above uses the assembly ones).
	$(GO) test -count=1 -tags purego ./pkg/gemm

test-notebooks:
	$(PY) scripts/test_run_notebooks.py
	$(PY) scripts/run_notebooks.py --mode quick --out build/notebooks-quick

test: setup vet test-go test-notebooks

figures: setup
	FEEDFORWARD_MODE=full $(PY) scripts/run_notebooks.py --mode full --out build/notebooks --figures-dir build/figures

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/...

clean:
	rm -rf build
