# The two commands of the README: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

# The browser tests drive Debian's Chromium (a downloaded browser cannot be fetched here).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The OpenID Connect tests run the npm package oidc-provider, installed beside the checkout.
OIDC_PROVIDER_HOME ?= $(abspath ..)/oidc-provider-test
OIDC_PROVIDER := $(OIDC_PROVIDER_HOME)/node_modules/oidc-provider/package.json

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hotspot demo --web

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

$(OIDC_PROVIDER):
	mkdir -p $(OIDC_PROVIDER_HOME)
	cd $(OIDC_PROVIDER_HOME) && { test -f package.json || echo '{"private": true}' > package.json; } \
		&& npm install --no-audit --no-fund oidc-provider@8

$(CHROMIUM):
	$(SUDO) apt-get install -y -qq chromium || \
		($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

test: lint $(CHROMIUM) $(OIDC_PROVIDER)
	HOTSPOT_CHROMIUM=$(CHROMIUM) HOTSPOT_OIDC_PROVIDER_HOME=$(OIDC_PROVIDER_HOME) \
		$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/mail.py
	$(BIN)/python bench/login_flood.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/zgw.py

clean:
	rm -rf $(VENV) var build dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
