# Two commands do all set-up on a fresh Debian machine:  make reports  and  make test.
# Each creates .venv, installs civsim with its dev extras, registers the "civsim" Jupyter kernel
# and checks the Debian packages the reports need; a second run only re-checks (seconds).
VENV    := .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.civsim-installed
DEBIAN  := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# the 公文 layout's 楷体 stand-in, and LibreOffice for the tests that open the .docx (no GUI: ~30 s)
DEBIAN  += fonts-arphic-ukai libreoffice-writer-nogui
SYSTEM  := $(VENV)/.debian-checked

.PHONY: setup reports test lab bench clean

setup: $(STAMP) $(SYSTEM)

$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
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
	@mkdir -p $(VENV) && touch $@

reports: setup
	$(VENV)/bin/civsim report --all

test: setup
	$(VENV)/bin/pytest

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

bench: setup
	$(PYTHON) benchmarks/run.py
	$(PYTHON) benchmarks/explorer.py
	$(PYTHON) benchmarks/batch.py

clean:
	rm -rf $(VENV) reports/*/
