"""Build step: copy the repository's top-level data/ and assets/ into the package of a wheel.

Everything else is declared in pyproject.toml. The folders land in `dashboard/_files/`, where
`dashboard.resources` looks first; an editable install skips the copy and reads them in place.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _resources():
    """Return the module dashboard/resources.py (loaded alone: building needs none of its dependencies)."""
    spec = importlib.util.spec_from_file_location("_resources", HERE / "dashboard" / "resources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithFiles(build_py):
    """build_py that also copies the shipped data and the page assets into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        res = _resources()
        target = Path(self.build_lib) / "dashboard" / res.PACKAGED
        shutil.rmtree(target, ignore_errors=True)
        for folder in res.FOLDERS:
            shutil.copytree(HERE / folder, target / folder,
                            ignore=shutil.ignore_patterns(".*", "__pycache__", "node_modules"))


setup(cmdclass={"build_py": BuildWithFiles})
