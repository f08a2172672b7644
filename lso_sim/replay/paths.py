"""Where goldens live and how a trace header names its scenario without absolute paths.

A golden must mean the same on every machine, so its header names the scenario relative to the
project root (the nearest folder up holding ``pyproject.toml`` or ``.git``), e.g.
``scenarios/thread-10.2.yaml``. The golden of ``<dir>/<name>.yaml`` is ``<dir>/goldens/<name>.jsonl``.
"""

from __future__ import annotations

import os
from pathlib import Path

from lso_sim.errors import BadInput

GOLDENS_DIR = "goldens"
"""Folder, next to the scenario files, holding their golden traces."""

_ROOT_MARKERS = ("pyproject.toml", ".git")


def golden_path(scenario: Path) -> Path:
    """The golden trace of the scenario file ``scenario``."""
    return scenario.parent / GOLDENS_DIR / f"{scenario.stem}.jsonl"


def project_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a project marker, if any."""
    here = start.resolve()
    for folder in (here, *here.parents) if here.is_dir() else here.parents:
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            return folder
    return None


def scenario_label(scenario: Path, trace: Path | None = None) -> str:
    """How a header names ``scenario``: relative to its project root, else to ``trace``'s folder.

    Always with ``/`` separators, so a golden written on one system reads the same on another.
    """
    resolved = scenario.resolve()
    root = project_root(resolved)
    if root is not None:
        return resolved.relative_to(root).as_posix()
    base = trace.resolve().parent if trace is not None else Path.cwd()
    try:
        return Path(os.path.relpath(resolved, base)).as_posix()
    except ValueError:  # another drive (Windows): nothing relative exists
        return resolved.as_posix()


def resolve_scenario(label: str, golden: Path) -> Path:
    """The scenario file a golden's header names: under the golden's project root when it has
    one (never elsewhere: another project's file of the same name is not this golden's scenario),
    else relative to the golden's folder or to the current folder.

    Raises:
        LsoSimError: no such file in any of those places.
    """
    given = Path(label)
    if given.is_absolute():
        candidates = [given]
    else:
        root = project_root(golden.resolve().parent)
        bases = [root] if root is not None else [golden.resolve().parent, Path.cwd()]
        candidates = [base / given for base in bases]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in dict.fromkeys(candidates))
    raise BadInput(
        f"{golden}: the scenario {label!r} its header names was not found (looked at {looked}); "
        "give it with --scenario"
    )
