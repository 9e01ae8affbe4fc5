"""The web app's kernel manager: at most ``max_kernels`` kernels at once.

Voila starts a kernel for every page load; idle ones are culled (``civsim.app`` sets the culling),
and this bound keeps a burst of visitors, or one visitor reloading, from starting kernels until the
server runs out of memory. A visitor past the bound gets a page saying the app is busy.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

BUSY = "方案模拟网页当前访问人数已满，请几分钟后再打开（空闲的页面会自动释放）"


class BoundedKernelManager(AsyncMappingKernelManager):
    max_kernels = Integer(12, config=True, help="kernels running at once (each holds a district's roll)")

    async def start_kernel(self, *args, kernel_id=None, **kwargs):
        if kernel_id is None and len(self.list_kernel_ids()) >= self.max_kernels:
            raise web.HTTPError(503, BUSY, reason="Busy")
        return await super().start_kernel(*args, kernel_id=kernel_id, **kwargs)
