"""Debian's Chromium run headless, as the user guide's pictures (``make docs``), the app benchmark
and the browser tests run it: where it is, and the flags that keep it off the network (with the
background flags off, this machine's closed network refuses its many connections)."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
