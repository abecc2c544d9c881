# The few commands everyone runs. `make test` is what CI runs (.ci/run) and what README shows.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: dev test test-rust test-python docs lint bench fuzz clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

## dev: build the extension in place (debug build) with the test tools, in $(VENV)
dev: $(PY)
	$(PY) -m pip install -q -e '.[test]'

## test: Rust tests (unit, property, doctests), then the docs site (strict), pytest (with doctests) and mypy.stubtest
test: test-rust docs test-python

test-rust:
	cargo test --locked

test-python: dev
	$(PY) -m pytest -q
	$(PY) -m mypy.stubtest smtpcodes --allowlist stubtest-allowlist.txt
	$(PY) -m mypy python/smtpcodes

## docs: the documentation site (mkdocs.yml, docs/) into site/, in strict mode: a warning fails it
docs: dev
	$(PY) -m pip install -q -r docs/requirements.txt
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

## lint: formatting, clippy with warnings as errors, mypy
lint: dev
	cargo fmt --check
	cargo clippy --locked --all-targets --features python -- -D warnings
	$(PY) -m mypy python/smtpcodes

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
