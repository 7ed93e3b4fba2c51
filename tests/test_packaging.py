"""The built wheel carries the files the code reads at run time: quote templates, message catalogs, the rep page."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from support import ROOT


def test_wheel_carries_templates_catalogs_and_the_rep_page(tmp_path: Path) -> None:
    """Every quote template, each language's .po and .mo, and the sales-rep page's files are in the wheel."""
    source = (
        tmp_path / "source"
    )  # a clean copy: a build/ folder left in the checkout would hide a missing file
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            str(source),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("configurator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"configurator/quoting/templates/{p.name}"
        for p in (ROOT / "src/configurator/quoting/templates").iterdir()
    }
    for language in ("en", "pt", "es", "sv"):
        for suffix in ("po", "mo"):
            expected.add(f"configurator/quoting/locale/{language}/LC_MESSAGES/configurator.{suffix}")
    expected |= {
        "configurator/web/templates/rep.html",
        "configurator/web/static/rep.js",
        "configurator/py.typed",
    }
    assert len(expected) >= 15
    assert expected - names == set()
