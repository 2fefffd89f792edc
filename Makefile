# `make demo` and `make test` each set up .venv on a fresh machine first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test clean slurm bench bench-large

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU build of torch first, so no resolver ever pulls a CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m dacapo.demo

# The Slurm tests start a one-node cluster (tests/_slurm_cluster.py). On root
# machines without Slurm, install Debian's packages; if apt-get fails, go on:
# those tests then skip and say why.
SLURM_PACKAGES := slurmctld slurmd slurm-client munge

slurm:
	@if [ "$$(id -u)" = 0 ] && ! command -v slurmctld >/dev/null 2>&1 \
		&& [ ! -x /usr/sbin/slurmctld ]; then \
		echo "installing $(SLURM_PACKAGES) for the Slurm tests"; \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $(SLURM_PACKAGES) ) \
		|| echo "warning: could not install $(SLURM_PACKAGES) with apt-get; the Slurm" \
			"tests will be skipped"; \
	fi

test: $(STAMP) slurm
	$(VENV)/bin/ruff check dacapo tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

# Benchmarks against the upstream release (its own venv: bench/peer-setup.sh,
# run while the data is written); writes bench/RESULTS.md. Not part of make test.
bench: $(STAMP)
	$(PY) bench/run.py --peer-setup

# P3 at 512³ and full training on the CPU, once per side (upstream is
# OOM-killed at ~20 GB; a CPU iteration takes a minute): stored in
# bench/results-large.json, then reported in bench/RESULTS.md.
bench-large: $(STAMP)
	$(PY) bench/run.py --large --peer-setup
	$(PY) bench/run.py --refresh-stored

clean:
	rm -rf $(VENV) .pytest_cache
