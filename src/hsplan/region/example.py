"""The shipped example project: the synthetic 江川区 (530403) region, ready to copy.

The data are synthetic except the division codes, the county boundary and the 2020 census
county figures (see ``src/hsplan/data/example/jiangchuan/README.md``); the job that runs the
main analyses on it is `hsplan.cli.example`.
"""

from __future__ import annotations

import os
import secrets
import shutil
from importlib import resources
from pathlib import Path

from hsplan._files import TEMP_MARK, remove
from hsplan._i18n import _
from hsplan.errors import DataSourceError, HsplanError
from hsplan.region._lock import project_lock
from hsplan.region.project import MADE_BY_EXAMPLE, Project, build_project

EXAMPLE_NAME = "jiangchuan"
EXAMPLE_PLAN = "jiangchuan-2021-2025"
EXAMPLE_FILES = ("hsplan.toml", "region.gpkg", "roads.gpkg", "README.md",
                 "scenarios/new-chc-200-beds.yaml")
# the plan document the example region answers to, copied into the project's documents/
EXAMPLE_DOCUMENT = "000_a2a2a54b8113ffa6.txt"


def example_project_path() -> Path:
    """Return the folder of the shipped example project (inside the installed package)."""
    path = Path(str(resources.files("hsplan") / "data" / "example" / EXAMPLE_NAME))
    if not (path / "hsplan.toml").exists():
        raise DataSourceError(_("{path}: the example project is missing from the installed "
                                "package. Fix: reinstall hsplan (pip install -e .).").format(
                                    path=path))
    return path


# what the example job writes into outputs/: --force replaces a folder holding only these
EXAMPLE_OUTPUTS = ("facility_map.png", "summary.xlsx", "evaluation.xlsx", "evaluation.png",
                   "norms_map.png")


def _example_files(root: Path) -> set[str]:
    """Return the relative paths (files and folders) an example copy may hold."""
    known = {".hsplan.lock", "documents", "outputs", f"documents/{EXAMPLE_DOCUMENT}"}
    for name in EXAMPLE_FILES:
        parts = Path(name).parts
        known |= {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
    known |= {f"outputs/{name}" for name in EXAMPLE_OUTPUTS}
    return known


def _refuse_unless_example(target: Path) -> None:
    """Raise unless `target` is an example copy hsplan made: ``hsplan.toml`` with the
    ``made_by`` marker, and no file the example does not write (the planner's notes)."""
    try:
        project = Project.open(target)
    except HsplanError as exc:
        raise DataSourceError(
            _("{target}: --force replaces only a folder hsplan made, and this one's "
              "hsplan.toml cannot be read ({error}). Fix: choose another folder (--out DIR).")
            .format(target=target, error=str(exc).splitlines()[0])) from exc
    if project.made_by != MADE_BY_EXAMPLE:
        raise DataSourceError(
            _("{target}: --force replaces only a folder hsplan made for the example "
              "(hsplan.toml with made_by = \"{marker}\"), and this one is a project of its "
              "own. Fix: choose another folder (--out DIR); hsplan never deletes a project.")
            .format(target=target, marker=MADE_BY_EXAMPLE))
    known = _example_files(target)
    unknown = sorted(str(p.relative_to(target)) for p in target.rglob("*")
                     if str(p.relative_to(target)) not in known and not _is_temp(p))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise DataSourceError(
            _("{target}: --force replaces only an example copy, and this folder holds files "
              "the example did not write ({shown}). Fix: move those files away, or choose "
              "another folder (--out DIR).").format(target=target, shown=shown))


def _is_temp(path: Path) -> bool:
    return TEMP_MARK in path.name


def copy_example(directory: str | Path, *, force: bool = False) -> Project:
    """Return the example project copied into folder `directory` (created if needed).

    One transaction: the copy is made in a hidden folder beside `directory` and renamed into
    place, so a killed copy never leaves a truncated ``region.gpkg``. Refuses a folder that
    already holds a project, unless `force` is set and the folder is an example copy hsplan
    made (``made_by`` marker, no unknown files): then it is replaced.
    """
    target = Path(directory)
    source = example_project_path()

    def build(staging: Path) -> Project:
        for name in EXAMPLE_FILES:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, staging / name)
        documents = staging / "documents"
        documents.mkdir(exist_ok=True)
        shutil.copy2(source.parent.parent / "seeds" / EXAMPLE_DOCUMENT,
                     documents / EXAMPLE_DOCUMENT)
        project = Project.open(staging)
        project.made_by = MADE_BY_EXAMPLE
        project.write_config()
        return project

    if force and target.is_dir() and any(target.iterdir()):
        _refuse_unless_example(target)
        with project_lock(target, command="hsplan example --force"):
            tag = f"{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
            staging, old = (target.parent / f".{target.name}{tag}",
                            target.parent / f".{target.name}{tag}-old")
            try:
                staging.mkdir()
                build(staging)
                os.replace(target, old)  # the old copy is set aside only once the new one
                try:  # is complete, then swapped in
                    os.replace(staging, target)
                except OSError:
                    os.replace(old, target)
                    raise
                remove(old)
            finally:
                remove(staging)
        return Project.open(target)
    if (target / "hsplan.toml").exists() or (target / "region.gpkg").exists():
        raise DataSourceError(
            _("{target}: expected a folder without a project, got an existing hsplan "
              "project. Fix: choose another folder (--out DIR), or add --force to replace it.")
            .format(target=target))
    return build_project(target, build)
