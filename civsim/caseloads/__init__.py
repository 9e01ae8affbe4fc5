"""How a synthetic roll holds each program's caseload, apart from the program's rule.

A module here named for a program (``dibao.py`` for ``civsim.programs.dibao``) defines
``build(b)``: it adds the program's households and persons at the anchor month, and their spells,
to a :class:`civsim.synthetic.Builder`, reading the leaves the program declares as ``roll_params``.
A program without a module here has no caseload of its own on a synthetic roll (it rides on
others', or pays counted cases).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

BUILDERS: dict[str, Callable] = {
    m.name: importlib.import_module(f"{__name__}.{m.name}").build for m in pkgutil.iter_modules(__path__)
}
