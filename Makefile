# The two commands: `make serve` (set up, build the examples, serve) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DATA ?= data
# IRIs are minted under this base; following the port keeps them dereferenceable locally.
BASE_URI ?= http://localhost:$(PORT)/

.PHONY: serve build test lint fix docs bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The SPARQL page's editor (YASQE) and results view (YASR), from YASGUI on npm; the page
# still works without them (plain text box, our own table).
VENDOR := site/static/vendor/yasqe.min.js
$(VENDOR): package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && mkdir -p $(@D) && \
	  cp node_modules/@zazuko/yasqe/build/yasqe.min.js node_modules/@zazuko/yasqe/build/yasqe.min.css \
	     node_modules/@zazuko/yasr/build/yasr.min.js node_modules/@zazuko/yasr/build/yasr.min.css $(@D)/; \
	else echo "npm not found: the SPARQL page falls back to a plain text box and table"; fi

build: $(VENV)/.installed $(VENDOR)
	$(VENV)/bin/lotaip-lod build --out $(DATA) --base-uri $(BASE_URI)

serve: build
	PUBLISHER_BASE_URI=$(BASE_URI) $(VENV)/bin/lotaip-lod serve --data $(DATA) --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed $(VENDOR)
	$(PY) -m pytest
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

fix: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# The generated parts of README.md and docs/cli.md (settings table, command help).
docs: $(VENV)/.installed
	$(VENV)/bin/cog -I docs -r README.md docs/cli.md

bench: $(VENV)/.installed
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .mypy_cache .ruff_cache
