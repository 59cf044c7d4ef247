# The two commands a newcomer needs: `make demo` and `make test`. Both install what they need (idempotent).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: help setup demo test lint typecheck unit contracts bench stress soak clean system-packages

help:
	@echo "make demo   - set up, start a local chain, deploy the registry, issue sample certificates, serve the verifier"
	@echo "make test   - set up and run linters, type checks and the whole test suite"
	@echo "make setup  - virtualenv + Python packages, npm packages, Debian packages the tests need"
	@echo "make contracts - recompile contracts/NotaryRegistry.sol into the committed artifact"
	@echo "make bench  - run every benchmark in bench/ (prints JSON figures)"
	@echo "make soak   - attack the web verifier for 5 minutes while genuine checks run (bench/verify_soak.py)"
	@echo "make stress - kill a 2,000-document issuance 21 times (every stage) and its node 3 times, resume, audit the chain"

setup: $(VENV)/.installed node_modules/.installed system-packages

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]' 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import notary, web3, coincurve" 
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages used by tests (qpdf --check, Chromium for the browser tests, SoftHSM2 for PKCS#11 signing,
# poppler's pdfsig to check seals); installed only when missing.
system-packages:
	@missing=""; \
	command -v qpdf >/dev/null || missing="$$missing qpdf"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v softhsm2-util >/dev/null || missing="$$missing softhsm2"; \
	command -v pdfsig >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: setup
	$(BIN)/notary demo --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy notary verifier cli

test: setup lint typecheck
	$(BIN)/pytest -q

unit: setup
	$(BIN)/pytest -q tests/unit

contracts: node_modules/.installed $(VENV)/.installed
	$(BIN)/python contracts/build.py

# Benchmarks print JSON figures (last line); they are not part of `make test`.
# verify_soak is left out on purpose: it runs 5 minutes and is run on its own.
BENCHES := gas gas_by_evm merkle qr_sizes stamp issue_verify issue_bulk chain_reads verify_load
bench: setup
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

# Slow fault runs: SIGKILL a 2,000-document issuance 21 times (every stage), kill its node 3 times, audit.
stress: setup
	$(BIN)/python bench/crash_resume.py --kills 21 --node-kills 3

# Hostile uploads in parallel with genuine verifications for 5 minutes against `notary serve` (issue 15's soak).
soak: setup
	$(BIN)/python bench/verify_soak.py --seconds 300

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
