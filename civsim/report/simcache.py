"""Simulations shared by the notebooks of one batch run.

A district's summary simulates its year, the plan for the year after simulates that year again as
its "this year": the batch gives its workers (and so their kernels) a private folder in
``CIVSIM_SIMULATION_CACHE`` for the run, and a simulation made by one notebook is read back by the
next. The key is a hash of everything the result depends on — the parameters in force (each
scenario's too), the year, the seed and the code's version — so a hit is the same table the
engine would return; outside a batch (no variable set) this is just :func:`civsim.engine.simulate`.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

from .. import engine, provenance, scenarios as scenarios_module

ENV = "CIVSIM_SIMULATION_CACHE"


def _key(params, year: int, scenarios, seed) -> str:
    applied = [(s.name, provenance.params_hash(scenarios_module.apply(params, s, year))) for s in scenarios]
    text = json.dumps([provenance.version(), provenance.git_commit(), provenance.params_hash(params), applied,
                       int(year), 1 if seed is None else int(seed)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def simulate(params, year: int, scenarios=(), seed: int | None = None):
    """``engine.simulate(params.district.code, year, scenarios, seed, params=params)``, from the run's
    folder when a notebook before made the same one."""
    folder = os.environ.get(ENV)
    chosen = [s if isinstance(s, scenarios_module.Scenario) else scenarios_module.load(s) for s in scenarios]
    if not folder or not Path(folder).is_dir():
        return engine.simulate(params.district.code, year, scenarios=chosen, seed=seed, params=params)
    path = Path(folder) / f"{_key(params, year, chosen, seed)}.pickle"
    if path.is_file():
        with open(path, "rb") as file:   # written by this run's own workers, in its private folder
            return pickle.load(file)
    result = engine.simulate(params.district.code, year, scenarios=chosen, seed=seed, params=params)
    from ..atomic import atomic_path

    with atomic_path(path) as tmp:
        with open(tmp, "wb") as file:
            pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    return result


__all__ = ["ENV", "simulate"]
