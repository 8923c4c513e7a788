# The two commands of the README:
#   make run    build the graph, check it, reason, print its statistics, and serve the
#               SPARQL endpoint on http://127.0.0.1:8000/sparql until Ctrl-C (the main job);
#               `make run PORT=8001` serves on another port (or FILMGRAPH_PORT=8001)
#   make test   lint, format check, the import contract, the type checker, the docs site
#               and the full test suite
# Both install what they need: a pinned uv into .tools/, then the locked
# dependencies (uv.lock) into .venv/, using this machine's Python (never a download).
# `make run` installs only what running needs; `make test` adds the dev tools.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test quick lint format install bench growth assets clean

PORT ?=

run: $(VENV)/.runtime
	$(VENV)/bin/filmgraph build
	$(VENV)/bin/filmgraph stats
	$(VENV)/bin/filmgraph serve $(if $(PORT),--port $(PORT))

# Tests run on two processes (pytest-xdist), a test file to a process so that each file's
# module fixtures (servers, builds) start once; `make test PYTEST_JOBS=` runs them serially.
PYTEST_JOBS ?= -n 2 --dist loadfile

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_JOBS)

# The quick tier: everything but the tests marked slow (browser, real stores, suites,
# benchmarks, fuzzing), for everyday work; `make test` runs them all.
quick: $(VENV)/.installed
	$(VENV)/bin/pytest $(PYTEST_JOBS) -m "not slow"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.installed

# The load benchmark, with its baselines (rdflib-endpoint, the Oxigraph server): see
# benchmarks/RESULTS.md. Not part of `make test`.
bench: $(UV)
	$(UV) sync --frozen --extra dev --extra bench --python $(PYTHON)
	$(VENV)/bin/python -m benchmarks.load

# The growth benchmark: 10k, 100k and 1M triples on each store (about 30 minutes on 2
# cores, 22 of them at 1M): see benchmarks/RESULTS.md. Not part of `make test`.
growth: $(VENV)/.installed
	$(VENV)/bin/python -m benchmarks.growth

# The browser libraries the pages serve (YASGUI, Cytoscape.js), from the npm registry into
# src/filmgraph/web/static/vendor/ (committed; see its README.md). Needs npm; not part of
# `make test`.
assets:
	web-assets/vendor.sh

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The runtime alone (--inexact: dev tools already installed stay).
$(VENV)/.runtime: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --inexact --python $(PYTHON)
	touch $@

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	touch $@ $(VENV)/.runtime

clean:
	rm -rf .tools $(VENV) build
