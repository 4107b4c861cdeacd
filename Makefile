# Set-up and checks. `make site` builds the site from a fresh clone; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Material prints a notice about MkDocs 2 on every build; the builds here pin MkDocs 1.x.
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test serve bench lint browser fonts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }

# Korean labels in the plots need a font with Hangul at build time (the SVGs carry the glyphs as paths).
fonts:
	@fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig; }

site: $(VENV)/.installed node_modules/.installed fonts
	$(BIN)/mkdocs build --strict

test: $(VENV)/.installed node_modules/.installed fonts browser
	$(BIN)/ruff check glossary tests
	$(BIN)/ruff format --check glossary tests
	$(BIN)/python -m pytest

serve: $(VENV)/.installed node_modules/.installed fonts
	$(BIN)/mkdocs serve

bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/glossary bench

clean:
	rm -rf site site.glossary-staging site.glossary-old .cache
