# Two commands do all set-up on a fresh Debian machine:  make reports  and  make test.
# Each creates .venv, installs civsim with its dev extras at the versions of requirements/lock.txt,
# registers the "civsim" Jupyter kernel and checks the Debian packages the reports need; a second
# run only re-checks (seconds). make test-fast leaves out the tests marked slow (kernels, browser,
# LibreOffice, Dask); make lock regenerates the lock.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.civsim-installed
# the interpreter the venv is made from: Debian's own python3 where it is a 3.11 with venv (Debian 12's
# 3.11.2, updated with the system; the tests take 11-15 % less CPU on it than on a source build of
# 3.11 without --enable-optimizations), else python3 on PATH; make PYTHON3=... chooses another
IS_3_11 := import sys; sys.exit(sys.version_info[:2] != (3, 11))
ifndef PYTHON3
PYTHON3 := $(shell /usr/bin/python3 -c 'import ensurepip; $(IS_3_11)' 2>/dev/null && echo /usr/bin/python3 || echo python3)
endif
# exact versions of every runtime and dev dependency, the set the tests ran with (Linux x86_64,
# Python 3.11), made with Debian 12's python3 so that every pinned release installs on it; the
# oldest Python they all support
LOCK    := requirements/lock.txt
LOCK_PYTHON := 3.11.2
PIP_TOOLS   := pip-tools==7.7.0
# the installer, pinned too: uv reads the lock as pip constraints and installs it in about 9 s
# (pip 26.3: about 28 s; the pip Python 3.11 bundles, 23.2: 53 s)
UV          := uv==0.13.10
DEBIAN  := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# the 公文 layout's 楷体 stand-in, and LibreOffice for the tests that open the .docx (no GUI: ~30 s)
DEBIAN  += fonts-arphic-ukai libreoffice-writer-nogui
# pdftoppm, which turns report pages into the user guide's pictures (make docs)
DEBIAN  += poppler-utils
SYSTEM  := $(VENV)/.debian-checked
# Every process the tests and reports start (kernels, workers, commands) keeps what it compiles in
# __pycache__, even where the environment sets PYTHONDONTWRITEBYTECODE: otherwise each compiles
# civsim and the tests anew. uv compiles the installed modules at install, on every core (about
# 14 s): left to their first import, the test processes, kernels and workers starting together each
# compiled the same modules, and a fresh clone's tests took about 28 s longer.
unexport PYTHONDONTWRITEBYTECODE
BROWSER := chromium
# the browser test drives Debian's chromium: installed when root, else the test skips (one line)

.PHONY: setup reports test test-fast lint format lock lab app bench docs clean

setup: $(STAMP) $(SYSTEM)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PYTHON) || $(PYTHON3) -m venv $(VENV)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(LOCK_PYTHON)".split("."))))' || \
	{ echo "$(LOCK) needs Python $(LOCK_PYTHON) or later; $(VENV) has $$($(PYTHON) -V 2>&1)"; \
	  echo "remove $(VENV) and run again with a newer Python 3.11 (make PYTHON3=...)"; exit 1; }
	$(PYTHON) -m pip install --quiet $(UV)
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PYTHON) -c $(LOCK) -e ".[dev]"
	$(PYTHON) -m ipykernel install --user --name civsim --display-name "Python (civsim)" >/dev/null
	touch $@

$(SYSTEM): Makefile
	@missing=$$(for p in $(DEBIAN); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages: $$missing"; \
	    echo "install them with: sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi
	@dpkg-query -W -f='$${Status}\n' $(BROWSER) 2>/dev/null | grep -q "ok installed" || \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages: $(BROWSER)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER) >/dev/null; \
	else \
	  echo "optional: sudo apt-get install -y $(BROWSER)  (without it the browser test is skipped)"; \
	fi
	@mkdir -p $(VENV) && touch $@

reports: setup
	$(VENV)/bin/civsim report --all

test: setup
	$(VENV)/bin/pytest -n auto --dist loadgroup

# everything but the tests marked slow (Jupyter kernels and servers, the browser, LibreOffice, Dask)
test-fast: setup
	$(VENV)/bin/pytest -n auto --dist loadgroup -m "not slow"

# the code's layout (ruff format) and pyflakes and pycodestyle errors (ruff check), configured in
# pyproject.toml; the tests run both. `make format` lays the code out.
lint: setup
	$(VENV)/bin/ruff format --check civsim tests benchmarks
	$(VENV)/bin/ruff check civsim tests benchmarks

format: setup
	$(VENV)/bin/ruff format civsim tests benchmarks

# Regenerate the lock with pip-compile (pip-tools, in a venv of its own) from pyproject.toml:
# pins already in the lock are kept unless pyproject.toml rules them out; UPGRADE=1 moves every
# package to its newest release; setuptools is pinned too (--allow-unsafe: the wheel test builds
# with it). Then run the tests: the lock is the set they pass with.
LOCK_TOOL := $(VENV)/lock-tool
lock:
	@$(PYTHON3) -c '$(IS_3_11)' || \
	{ echo "$(LOCK) is made with Python 3.11 ($(PYTHON3) here is $$($(PYTHON3) -V 2>&1))"; exit 1; }
	test -x $(LOCK_TOOL)/bin/pip-compile || \
	{ $(PYTHON3) -m venv $(LOCK_TOOL) && $(LOCK_TOOL)/bin/pip install --quiet $(PIP_TOOLS); }
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOL)/bin/pip-compile --quiet --extra dev --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade) \
	  --output-file $(LOCK) pyproject.toml
	@echo "$(LOCK) written; now run the tests with it: make test"

# JupyterLab on civsim/notebooks/ with the project's Jupyter config (.jupyter/: outputs stripped on save,
# zh-CN page language); --allow-root only when root; the URL with its token is printed first.
LAB_PORT ?= 8888
lab: setup
	@mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	@cp .jupyter/lab/overrides.d/civsim.json $(VENV)/share/jupyter/lab/settings/overrides.d/
	@token=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(18))'); \
	root=$$([ "$$(id -u)" = 0 ] && echo --allow-root); \
	echo "JupyterLab: http://127.0.0.1:$(LAB_PORT)/lab/tree/scenario_explorer.ipynb?token=$$token"; \
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter $(VENV)/bin/jupyter lab --ServerApp.root_dir=civsim/notebooks \
	  --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) --ServerApp.port_retries=0 \
	  --IdentityProvider.token=$$token $$root

# The explorer as a standalone web page (Voila): civsim app --port N; the URL is printed first.
APP_PORT ?= 8866
app: setup
	$(VENV)/bin/civsim app --port $(APP_PORT)

# The documentation as a static site in site/ (Sphinx, offline, searchable in Chinese): first the
# user guide's pictures from the running app and the rendered reports (Debian's chromium,
# pdftoppm), then the site, then the guide as one page and a PDF through the reports' pipeline.
docs: setup
	$(PYTHON) tools/guide.py screenshots
	$(PYTHON) -m sphinx -W --keep-going -q -b html -d $(VENV)/doctrees docs site
	$(PYTHON) tools/guide.py render site/使用说明
	@echo "site/README.html: the documentation; site/使用说明/使用说明.pdf: the user guide to print"

bench: setup
	$(PYTHON) benchmarks/run.py
	$(PYTHON) benchmarks/explorer.py
	$(PYTHON) benchmarks/app.py
	$(PYTHON) benchmarks/batch.py
	$(PYTHON) benchmarks/import.py
	$(PYTHON) benchmarks/budget.py

clean:
	rm -rf $(VENV) reports/*/
