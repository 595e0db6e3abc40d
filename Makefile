# cfn-flowlogs. Needs only python3 and make: every target installs what it uses into a virtualenv,
# each from its lock in requirements/ (exact versions and hashes; `make lock` refreshes them).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# checkov pins boto3 and packaging against awscli and pytest: it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
# sceptre pins jsonschema<3.3 (moto's openapi-spec-validator needs >=4.26) and networkx<2.7: a
# virtualenv of its own too, with this package installed into it for its Python templates.
SCEPTRE_VENV := .venv-sceptre
LOCK_VENV := .venv-lock
# The locks are made for CI's python3 on Linux x86_64 (README: tested Python versions).
LOCK_PYTHON := 3.11
# Tests run on every core, one worker each (pytest-xdist), a test file to a worker so that a file's
# module fixtures (a deployed stack, a local endpoint) are made once; WORKERS=0 runs them in this process.
WORKERS ?= auto

PIP := -m pip install --quiet --disable-pip-version-check
# A locked environment: a new virtualenv, then exactly the lock's packages, each checked against its hash.
define locked_venv
	$(PYTHON) -m venv --clear $(1)
	$(1)/bin/python $(PIP) --require-hashes --no-deps -r $(2)
endef
# This package, editable, with the lock's setuptools (no build isolation: nothing unlocked comes in).
define install_package
	$(1)/bin/python $(PIP) --no-deps --no-build-isolation -e .
endef
# A version that moved under its lock: one clear error, here rather than in the tests.
CHECK_LOCK = requirements/check.py

.DEFAULT_GOAL := help
.PHONY: help template test lint pytest bench deploy lock clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: requirements/runtime.lock.txt pyproject.toml
	$(call locked_venv,$(VENV),requirements/runtime.lock.txt)
	$(call install_package,$(VENV))
	$(PY) $(CHECK_LOCK) requirements/runtime.lock.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.lock.txt
	$(PY) $(PIP) --require-hashes --no-deps -r requirements/test.lock.txt
	$(PY) $(CHECK_LOCK) requirements/test.lock.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements/checkov.lock.txt
	$(call locked_venv,$(CHECKOV_VENV),requirements/checkov.lock.txt)
	$(CHECKOV_VENV)/bin/python $(CHECK_LOCK) requirements/checkov.lock.txt
	touch $@

$(SCEPTRE_VENV)/.installed: requirements/sceptre.lock.txt pyproject.toml
	$(call locked_venv,$(SCEPTRE_VENV),requirements/sceptre.lock.txt)
	$(call install_package,$(SCEPTRE_VENV))
	$(SCEPTRE_VENV)/bin/python $(CHECK_LOCK) requirements/sceptre.lock.txt
	touch $@

$(LOCK_VENV)/.installed: requirements/lock.lock.txt
	$(call locked_venv,$(LOCK_VENV),requirements/lock.lock.txt)
	touch $@

# One process builds every template (shipped, archive, examples/*.yaml and *.py) and the README
# tables: what `cfn-flowlogs build --config A --config B -o DIR` does for configs of your own.
template: $(VENV)/.installed ## write the shipped and example templates into templates/
	$(PY) -m cfn_flowlogs.shipped .

lint: $(VENV)/.installed-test ## ruff and mypy over the package, the tests and the benchmark
	$(BIN)/ruff check cfn_flowlogs tests bench requirements
	$(BIN)/ruff format --check cfn_flowlogs tests bench requirements
	$(BIN)/mypy cfn_flowlogs bench/bench.py bench/audit_scale.py

pytest: $(VENV)/.installed-test $(CHECKOV_VENV)/.installed $(SCEPTRE_VENV)/.installed ## the test suite alone
	CHECKOV=$(CHECKOV_VENV)/bin/checkov SCEPTRE=$(SCEPTRE_VENV)/bin/sceptre $(BIN)/pytest -n $(WORKERS) --dist loadfile

test: lint pytest ## everything CI runs: lint, then the whole test suite

bench: $(VENV)/.installed ## time start-up, builds, rendering and scale on this machine (writes bench.json)
	$(PY) bench/bench.py

deploy: $(VENV)/.installed-test ## deploy the shipped template: STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]
	@test -n "$(STACK)" || { echo 'usage: make deploy STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]' >&2; exit 2; }
	$(BIN)/aws cloudformation deploy --stack-name "$(STACK)" --template-file templates/vpc-flow-logs.yaml \
		--capabilities CAPABILITY_NAMED_IAM $(if $(PARAMS),--parameter-overrides $(PARAMS)) \
		$(if $(ENDPOINT),--endpoint-url "$(ENDPOINT)")

# `uv pip compile` for CI's Python; the header names `make lock` as the command that made each file.
UV_COMPILE = $(LOCK_VENV)/bin/uv pip compile --quiet --generate-hashes --python-version $(LOCK_PYTHON) \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(LOCK_VENV)/.installed ## rewrite the locks from requirements/*.in and pyproject.toml (UPGRADE=1: newest releases in range)
	$(UV_COMPILE) pyproject.toml requirements/test.in --extra test --extra aws --extra query -o requirements/test.lock.txt
	$(UV_COMPILE) pyproject.toml requirements/runtime.in -c requirements/test.lock.txt -o requirements/runtime.lock.txt
	$(UV_COMPILE) requirements/checkov.in -o requirements/checkov.lock.txt
	$(UV_COMPILE) pyproject.toml requirements/sceptre.in -o requirements/sceptre.lock.txt
	$(UV_COMPILE) requirements/lock.in -o requirements/lock.lock.txt

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) $(CHECKOV_VENV) $(SCEPTRE_VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
