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
DOCS_VENV := .venv-docs
# `make deploy` needs only the AWS CLI, `make endpoint` only moto's server, `make dist` only build
# and twine: each a virtualenv of its own, from a lock of its own.
DEPLOY_VENV := .venv-deploy
ENDPOINT_VENV := .venv-endpoint
BUILD_VENV := .venv-build
# The locked wheels of `pip install 'cfn-flowlogs[aws]'`, downloaded before the tests: the
# packaging test installs the built wheel from these alone, with no index.
WHEELHOUSE := .wheelhouse
# `make endpoint`'s port (moto's own default); where `make dist` writes (the packaging test: its own).
PORT ?= 5000
DIST ?= dist
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
.PHONY: help template test lint docs pytest bench deploy endpoint dist lock clean

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

$(DOCS_VENV)/.installed: requirements/docs.lock.txt
	$(call locked_venv,$(DOCS_VENV),requirements/docs.lock.txt)
	$(DOCS_VENV)/bin/python $(CHECK_LOCK) requirements/docs.lock.txt
	touch $@

$(LOCK_VENV)/.installed: requirements/lock.lock.txt
	$(call locked_venv,$(LOCK_VENV),requirements/lock.lock.txt)
	touch $@

$(DEPLOY_VENV)/.installed: requirements/deploy.lock.txt
	$(call locked_venv,$(DEPLOY_VENV),requirements/deploy.lock.txt)
	$(DEPLOY_VENV)/bin/python $(CHECK_LOCK) requirements/deploy.lock.txt
	touch $@

$(ENDPOINT_VENV)/.installed: requirements/endpoint.lock.txt
	$(call locked_venv,$(ENDPOINT_VENV),requirements/endpoint.lock.txt)
	$(ENDPOINT_VENV)/bin/python $(CHECK_LOCK) requirements/endpoint.lock.txt
	touch $@

$(BUILD_VENV)/.installed: requirements/build.lock.txt
	$(call locked_venv,$(BUILD_VENV),requirements/build.lock.txt)
	$(BUILD_VENV)/bin/python $(CHECK_LOCK) requirements/build.lock.txt
	touch $@

# Wheels only (--only-binary): installing them builds nothing, so needs nothing but these files.
$(WHEELHOUSE)/.downloaded: requirements/aws.lock.txt $(BUILD_VENV)/.installed
	rm -rf $(WHEELHOUSE)
	$(BUILD_VENV)/bin/python -m pip download --quiet --disable-pip-version-check --require-hashes --no-deps \
		--only-binary :all: -r requirements/aws.lock.txt -d $(WHEELHOUSE)
	touch $@

# One process builds every template (shipped, archive, examples/*.yaml and *.py) and the README
# tables: what `cfn-flowlogs build --config A --config B -o DIR` does for configs of your own.
template: $(VENV)/.installed ## write the shipped and example templates into templates/
	$(PY) -m cfn_flowlogs.shipped .

lint: $(VENV)/.installed-test ## ruff and mypy over the package, the tests and the benchmark
	$(BIN)/ruff check cfn_flowlogs tests bench requirements
	$(BIN)/ruff format --check cfn_flowlogs tests bench requirements
	$(BIN)/mypy cfn_flowlogs bench/bench.py bench/query.py bench/audit_scale.py bench/writing.py

# What the tests run: the packaging test builds the wheel with .venv-build and installs it from the
# wheelhouse; the endpoint and deploy tests run `make endpoint` and `make deploy` as a user does.
TEST_ENVIRONMENTS := $(VENV)/.installed-test $(CHECKOV_VENV)/.installed $(SCEPTRE_VENV)/.installed \
	$(BUILD_VENV)/.installed $(WHEELHOUSE)/.downloaded $(DEPLOY_VENV)/.installed $(ENDPOINT_VENV)/.installed

pytest: $(TEST_ENVIRONMENTS) ## the test suite alone
	CHECKOV=$(CHECKOV_VENV)/bin/checkov SCEPTRE=$(SCEPTRE_VENV)/bin/sceptre $(BIN)/pytest -n $(WORKERS) --dist loadfile

docs: $(DOCS_VENV)/.installed ## build the documentation site into site/ (strict: a broken link or reference fails)
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict --site-dir site

test: lint docs pytest ## everything CI runs: lint, the docs site, then the whole test suite

bench: $(VENV)/.installed-test ## time start-up, builds, rendering, scale, the audit and query on this machine (writes bench.json)
	$(PY) bench/bench.py

# Without STACK, the usage line at once: the AWS CLI is installed only for a deploy that will run.
deploy: $(if $(STACK),$(DEPLOY_VENV)/.installed) ## deploy the shipped template: STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]
	@test -n "$(STACK)" || { echo 'usage: make deploy STACK=name PARAMS="Key=Value ..." [ENDPOINT=url]' >&2; exit 2; }
	$(DEPLOY_VENV)/bin/aws cloudformation deploy --stack-name "$(STACK)" --template-file templates/vpc-flow-logs.yaml \
		--capabilities CAPABILITY_NAMED_IAM $(if $(PARAMS),--parameter-overrides $(PARAMS)) \
		$(if $(ENDPOINT),--endpoint-url "$(ENDPOINT)")

# The launcher the deploy tests start: it prints the URL, what to export and what moto does not
# create, then serves on 127.0.0.1 until Ctrl-C. Everything it holds is in memory.
endpoint: $(ENDPOINT_VENV)/.installed ## run the local AWS endpoint (moto with the project's fixes) in the foreground [PORT=5000]
	@$(ENDPOINT_VENV)/bin/python tests/aws/moto_server.py --port "$(PORT)"

# sdist first, then the wheel from the unpacked sdist (so the sdist must hold all a build needs),
# with the locked setuptools of .venv-build (no build isolation: nothing unlocked comes in). The
# old egg-info goes first: setuptools would add the files its SOURCES.txt lists to the sdist.
dist: $(BUILD_VENV)/.installed ## build the sdist and the wheel into dist/ and check them with twine [DIST=dir]
	rm -rf $(DIST) cfn_flowlogs.egg-info
	$(BUILD_VENV)/bin/python -m build --no-isolation --outdir $(DIST) .
	$(BUILD_VENV)/bin/twine check --strict $(DIST)/*

# `uv pip compile` for CI's Python; the header names `make lock` as the command that made each file.
UV_COMPILE = $(LOCK_VENV)/bin/uv pip compile --quiet --generate-hashes --python-version $(LOCK_PYTHON) \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(LOCK_VENV)/.installed ## rewrite the locks from requirements/*.in and pyproject.toml (UPGRADE=1: newest releases in range)
	$(UV_COMPILE) pyproject.toml requirements/test.in --extra test --extra aws --extra query -o requirements/test.lock.txt
	$(UV_COMPILE) pyproject.toml requirements/runtime.in -c requirements/test.lock.txt -o requirements/runtime.lock.txt
	$(UV_COMPILE) requirements/checkov.in -o requirements/checkov.lock.txt
	$(UV_COMPILE) pyproject.toml requirements/sceptre.in -o requirements/sceptre.lock.txt
	$(UV_COMPILE) requirements/docs.in -o requirements/docs.lock.txt
	$(UV_COMPILE) requirements/lock.in -o requirements/lock.lock.txt
	$(UV_COMPILE) requirements/deploy.in -c requirements/test.lock.txt -o requirements/deploy.lock.txt
	$(UV_COMPILE) requirements/endpoint.in -c requirements/test.lock.txt -o requirements/endpoint.lock.txt
	$(UV_COMPILE) requirements/build.in -c requirements/test.lock.txt -o requirements/build.lock.txt
	$(UV_COMPILE) pyproject.toml requirements/aws.in --extra aws -c requirements/test.lock.txt -o requirements/aws.lock.txt

clean: ## remove the virtual environments, the wheelhouse, dist/, site/ and caches
	rm -rf $(VENV) $(CHECKOV_VENV) $(SCEPTRE_VENV) $(LOCK_VENV) $(DOCS_VENV) $(DEPLOY_VENV) $(ENDPOINT_VENV) \
		$(BUILD_VENV) $(WHEELHOUSE) dist site .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
