"""The local workers civsim starts run as the national benchmark measured them."""

from __future__ import annotations

import os

import pytest


@pytest.mark.slow
def test_local_workers_keep_freed_heap_and_leave_out_the_dashboard_profile():
    import dask

    from civsim import cluster

    with cluster.connect(workers=1, memory_limit="1GB") as client:
        environ = list(client.run(lambda: {k: os.environ.get(k) for k in cluster.WORKER_ENVIRON}).values())
        profile = list(client.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values())
    assert environ == [{k: str(v) for k, v in cluster.WORKER_ENVIRON.items()}]
    assert environ[0]["MALLOC_TRIM_THRESHOLD_"] == str(64 * 2**20)
    assert profile == [False]
