"""The shipped example project: the synthetic 江川区 (530403) region, ready to copy.

The data are synthetic except the division codes, the county boundary and the 2020 census
county figures (see ``src/hsplan/data/example/jiangchuan/README.md``); the job that runs the
main analyses on it is `hsplan.cli.example`.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from hsplan.errors import DataSourceError
from hsplan.region.project import Project

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
        raise DataSourceError(f"{path}: the example project is missing from the installed "
                              "package. Fix: reinstall hsplan (pip install -e .).")
    return path


def copy_example(directory: str | Path, *, force: bool = False) -> Project:
    """Return the example project copied into folder `directory` (created if needed).

    Refuses a folder that already holds a project, so nothing is overwritten, unless
    `force` is set: then a folder holding an hsplan project is deleted first.
    """
    target = Path(directory)
    if force and (target / "hsplan.toml").exists():
        shutil.rmtree(target)
    if (target / "hsplan.toml").exists() or (target / "region.gpkg").exists():
        raise DataSourceError(
            f"{target}: expected a folder without a project, got an existing hsplan project. "
            "Fix: choose another folder (--out DIR), or add --force to replace it.")
    target.mkdir(parents=True, exist_ok=True)
    source = example_project_path()
    for name in EXAMPLE_FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)
    documents = target / "documents"
    documents.mkdir(exist_ok=True)
    shutil.copy2(source.parent.parent / "seeds" / EXAMPLE_DOCUMENT, documents / EXAMPLE_DOCUMENT)
    return Project.open(target)
