"""The local workers civsim starts run as the national benchmark measured them."""

from __future__ import annotations

import os

import pytest


def _loads_iri_grammars() -> bool:
    """Whether importing what a report task imports (papermill, nbformat, jsonschema) here loads the
    IRI grammars civsim's processes leave out."""
    import sys

    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    return sys.modules.get("rfc3987_syntax") is not None


@pytest.mark.slow
def test_local_workers_keep_freed_heap_and_leave_out_the_dashboard_profile_and_the_iri_grammars():
    import dask

    from civsim import cluster

    with cluster.connect(workers=1, memory_limit="1GB") as client:
        environ = list(client.run(lambda: {k: os.environ.get(k) for k in cluster.WORKER_ENVIRON}).values())
        profile = list(client.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values())
        grammars = client.submit(_loads_iri_grammars).result()
    assert environ == [{k: str(v) for k, v in cluster.WORKER_ENVIRON.items()}]
    assert environ[0]["MALLOC_TRIM_THRESHOLD_"] == str(64 * 2**20)
    assert profile == [False]
    assert grammars is False
