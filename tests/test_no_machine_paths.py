"""No source, test, benchmark or example file names a folder that exists only on one machine.

Data outside the checkout is found through :mod:`configurator.io.benchdata` (or another setting), never through
an absolute path under a user's home, a mount point or a workspace root.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT

FOLDERS = ("src", "tests", "benchmarks", "examples")
"""The folders whose files are scanned."""

_ROOTS = ("work", "home", "root", "Users", "mnt")
MACHINE_PATH = re.compile(
    "|".join(
        [
            # a POSIX root folder that only some machines have, not inside a URL such as https://host/home/
            r"(?<![\w.-])/(?:" + "|".join(_ROOTS) + r")/",
            # a Windows user folder, however its backslash is escaped, or written with a slash
            r"\b[A-Za-z]:(?:\\{1,2}|/)" + "Users" + r"\b",
        ]
    )
)
"""An absolute path that names one machine's folders (the pieces are joined here so this file does not match)."""


def tracked_and_new_files(folders: tuple[str, ...] = FOLDERS) -> list[Path]:
    """The files git tracks under ``folders``, and the untracked ones it does not ignore, that exist now."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the files of the checkout cannot be listed")
    listed: set[str] = set()
    for extra in ([], ["--others", "--exclude-standard"]):
        result = subprocess.run(
            ["git", "ls-files", "-z", *extra, "--", *folders],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"not a git checkout: {result.stderr.decode(errors='replace').strip()}")
        listed.update(name for name in result.stdout.decode().split("\0") if name)
    return [ROOT / name for name in sorted(listed) if (ROOT / name).is_file()]


def machine_paths(path: Path) -> list[str]:
    """``file:line: text`` for each line of a text file that names a machine path (none for binary files)."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    name = path.relative_to(ROOT).as_posix()
    return [
        f"{name}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if MACHINE_PATH.search(line)
    ]


def test_no_file_names_a_machine_path() -> None:
    """No text file under src, tests, benchmarks or examples holds an absolute path of one machine."""
    files = tracked_and_new_files()
    assert any(file.name == "test_no_machine_paths.py" for file in files)
    found = [hit for file in files for hit in machine_paths(file)]
    assert not found, "absolute machine paths (use configurator.io.benchdata or a setting):\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    "line",
    [
        'DATA = Path("/' + 'work/shared/benchdata")',
        "cache = '/" + "home/someone/.cache'",
        "see /" + "root/data.csv",
        'os.environ.get("X", "/' + 'Users/someone/data")',
        "mount: /" + "mnt/disk/models",
        r'DATA = "C:\\' + r'Users\someone"',
        r"C:\\" + r"Users\\someone",
        "D:/" + "Users/someone",
        "file:///" + "home/someone/model.uvl",
    ],
)
def test_machine_paths_are_recognised(line: str) -> None:
    """Paths under the workspace, home, root, mount and Windows user folders are reported."""
    assert MACHINE_PATH.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "https://example.org/" + "home/index.html",
        "benchdata_path('renault-gimenez-phd', 'renault_big')",
        "tmp_path / 'work' / 'home'",
        "src/configurator/" + "work/x.py",
        "~/.config/configurator",
    ],
)
def test_other_paths_are_not_reported(line: str) -> None:
    """URLs, relative paths and the user's home as ``~`` are not machine paths."""
    assert not MACHINE_PATH.search(line)


def test_a_file_with_a_machine_path_is_listed_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scanned file reports ``file:line: text`` for each offending line and nothing for binary files."""
    monkeypatch.setattr("test_no_machine_paths.ROOT", tmp_path)
    text = tmp_path / "bench.py"
    text.write_text('import os\nDATA = "/' + 'work/shared/benchdata"\n', encoding="utf-8")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\0/" + b"home/x/")
    assert machine_paths(text) == ['bench.py:2: DATA = "/' + 'work/shared/benchdata"']
    assert machine_paths(binary) == []
