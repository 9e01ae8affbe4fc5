"""A report batch's work, checked as it is described: a :class:`Job` (one notebook run with its
parameters into ``out_dir/name.{ipynb,html,pdf,docx}``), the :class:`Shared` work several jobs read,
and the :class:`Outcome` of each; and :func:`safe_component`, the file-name component a label
becomes. Parameters and shared work's arguments are the values papermill writes as exact literals."""

from __future__ import annotations

import dataclasses
import keyword
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import CivsimError

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')  # POSIX plus Windows shares, where reports get copied
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_MAX_NAME_BYTES = 120  # leaves room in the 255-byte limit for ".failed.ipynb" and temp prefixes


def safe_component(text: object) -> str:
    """A file-name component from a label such as "420112-东西湖区 2021/计划": Chinese kept, no "/",
    "..", NUL or characters Windows refuses; raises when nothing usable is left."""
    name = unicodedata.normalize("NFC", str(text))
    name = _UNSAFE.sub("_", name).strip(" .")
    while len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        name = name[:-1].rstrip(" .")
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = "_" + name
    if not name:
        raise CivsimError(None, "name", f"no usable characters in {str(text)!r}", "letters, digits or Chinese")
    return name


def _check_value(value: object, where: str) -> None:
    """Only values papermill writes as exact Python literals; other types it would paste via str()."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_value(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CivsimError(None, where, f"dict key {key!r} is not a string", "string keys")
            _check_value(item, f"{where}[{key!r}]")
        return
    raise CivsimError(
        None,
        where,
        f"unsupported value of type {type(value).__name__}",
        "str, int, float, bool, None, or lists and dicts of them (convert dates and paths to str)",
    )


@dataclass(frozen=True)
class Shared:
    """Work several jobs read, done once a run in the pool before them: ``make(folder, **arguments)``
    (a module-level function) writes the folder ``name`` of the run's temporary area, and each job
    sharing it gets that folder's path as its parameter ``parameter``."""

    name: str
    make: Callable
    arguments: dict = field(default_factory=dict)
    parameter: str = "context"

    def __post_init__(self):
        object.__setattr__(self, "arguments", dict(self.arguments))
        for name, value in self.arguments.items():
            _check_value(value, f"shared {self.name}: arguments[{name!r}]")
        if not isinstance(self.name, str) or self.name != safe_component(self.name):
            raise CivsimError(
                f"shared {self.name}",
                "name",
                f"{self.name!r} is not a safe file name",
                "a name from batch_jobs.safe_component()",
            )
        if not self.parameter.isidentifier() or keyword.iskeyword(self.parameter):
            raise CivsimError(
                f"shared {self.name}",
                "parameter",
                f"bad parameter name {self.parameter!r}",
                "a Python identifier, as in the notebook's parameters cell",
            )


@dataclass(frozen=True)
class Job:
    """One report: run ``notebook`` with ``parameters``, write ``out_dir/name.{ipynb,html,pdf,docx}``;
    the PDF and .docx in ``layout`` ("standard" or "gongwen", civsim.report.layouts). ``shared``: the
    work this job reads, done before it (its folder comes as the parameter ``shared.parameter``)."""

    notebook: Path
    out_dir: Path
    name: str
    parameters: dict = field(default_factory=dict)
    label: str = ""
    layout: str = "standard"
    shared: Shared | None = None

    def __post_init__(self):
        object.__setattr__(self, "notebook", Path(self.notebook))
        object.__setattr__(self, "out_dir", Path(self.out_dir))
        object.__setattr__(self, "label", self.label or self.name)
        object.__setattr__(self, "parameters", dict(self.parameters))  # the caller may reuse its dict
        from .report import layouts

        layouts.get(self.layout)
        if not isinstance(self.name, str) or self.name != safe_component(self.name):
            raise CivsimError(
                f"job {self.label}",
                "name",
                f"{self.name!r} is not a safe file name",
                "a name from batch_jobs.safe_component()",
            )
        for name, value in self.parameters.items():
            if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
                raise CivsimError(
                    f"job {self.label}",
                    "parameters",
                    f"bad parameter name {name!r}",
                    "a Python identifier, as in the notebook's parameters cell",
                )
            _check_value(value, f"parameters[{name!r}]")
        if self.shared is not None and self.shared.parameter in self.parameters:
            raise CivsimError(
                f"job {self.label}",
                "parameters",
                f"{self.shared.parameter!r} is set by the shared work",
                "the folder the batch makes for it",
            )

    def with_folder(self, folder: Path) -> "Job":
        """This job reading its shared work from ``folder``."""
        return dataclasses.replace(
            self, parameters={**self.parameters, self.shared.parameter: str(folder)}, shared=None
        )

    def output(self, kind: str) -> Path:
        return self.out_dir / f"{self.name}.{kind}"


@dataclass
class Outcome:
    """What became of a job. On failure: ``cell`` is the 0-based index of the failing cell in the
    source notebook (None if no cell was running) and ``error`` is "ename: evalue", "timeout" or
    "kernel died"; ``detail`` holds the traceback or kernel log, ``failed_notebook`` the executed copy."""

    label: str
    notebook: Path
    outputs: dict[str, Path]
    ok: bool
    cell: int | None = None
    error: str = ""
    seconds: float = 0.0
    detail: str = ""
    failed_notebook: Path | None = None
