"""Build hook: the Qt translation catalogues (.qm) are compiled from resources/i18n/*.ts
when a wheel or an editable install is built, so no compiled file is committed.
Everything else about the package is in pyproject.toml."""
import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithTranslations(build_py):
    def run(self) -> None:
        tool = runpy.run_path(str(HERE / "installer" / "build_translations.py"))
        tool["build"](HERE / "resources" / "i18n")
        super().run()


setup(cmdclass={"build_py": BuildPyWithTranslations})
