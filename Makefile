# cfn-flowlogs. Needs only python3 and make: every target installs what it uses into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# checkov pins boto3 and packaging against awscli and pytest: it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
# sceptre pins jsonschema<3.3 (moto's openapi-spec-validator needs >=4.26) and networkx<2.7: a
# virtualenv of its own too, with this package installed into it for its Python templates.
SCEPTRE_VENV := .venv-sceptre
SCEPTRE_VERSION := 4.7.0

.DEFAULT_GOAL := help
.PHONY: help template test lint pytest bench deploy clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=23"
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

$(CHECKOV_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "checkov==$(CHECKOV_VERSION)"
	touch $@

$(SCEPTRE_VENV)/.installed: Makefile setup.cfg pyproject.toml
	$(PYTHON) -m venv $(SCEPTRE_VENV)
	$(SCEPTRE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "sceptre==$(SCEPTRE_VERSION)" -e .
	touch $@

# One process builds every template (shipped, archive, examples/*.yaml and *.py) and the README
# tables: what `cfn-flowlogs build --config A --config B -o DIR` does for configs of your own.
template: $(VENV)/.installed ## write the shipped and example templates into templates/
	$(PY) -m cfn_flowlogs.shipped .

lint: $(VENV)/.installed-test ## ruff and mypy over the package, the tests and the benchmark
	$(BIN)/ruff check cfn_flowlogs tests bench
	$(BIN)/ruff format --check cfn_flowlogs tests bench
	$(BIN)/mypy cfn_flowlogs bench/bench.py

pytest: $(VENV)/.installed-test $(CHECKOV_VENV)/.installed $(SCEPTRE_VENV)/.installed ## the test suite alone
	CHECKOV=$(CHECKOV_VENV)/bin/checkov SCEPTRE=$(SCEPTRE_VENV)/bin/sceptre $(BIN)/pytest

test: lint pytest ## everything CI runs: lint, then the whole test suite

bench: $(VENV)/.installed ## time start-up, builds, rendering and scale on this machine (writes bench.json)
	$(PY) bench/bench.py

deploy: $(VENV)/.installed-test ## deploy the shipped template: STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]
	@test -n "$(STACK)" || { echo 'usage: make deploy STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]' >&2; exit 2; }
	$(BIN)/aws cloudformation deploy --stack-name "$(STACK)" --template-file templates/vpc-flow-logs.yaml \
		--capabilities CAPABILITY_NAMED_IAM $(if $(PARAMS),--parameter-overrides $(PARAMS)) \
		$(if $(ENDPOINT),--endpoint-url "$(ENDPOINT)")

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) $(CHECKOV_VENV) $(SCEPTRE_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
