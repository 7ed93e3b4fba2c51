"""The tutorials (docs/tutorial-*.md) work as written.

Each tutorial runs top to bottom in a fresh folder holding a copy of the example catalogs: a block with a title
(```` ```yaml title="sofa.yaml" ````) is written to that file, the ```` ```python ```` blocks run in order in
one namespace, and each ``$ configurator ...`` line of a ```` ```console ```` block runs through
``configurator.cli.main`` and must print what the block shows under it (``...`` matches anything) and exit 0,
or the code a trailing ``# exit N`` names.
"""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from configurator.cli import main
from support import ROOT

TUTORIALS = sorted((ROOT / "docs").glob("tutorial-*.md"))
"""Every tutorial of the documentation site."""

PRODUCED = {
    "tutorial-shop.md": ("quote.pdf", "quote-api.pdf"),
    "tutorial-catalog.md": ("sofa.yaml", "sofa.tests.yml"),
}
"""The files each tutorial leaves behind, checked after it ran (a PDF must be one)."""

_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_EXIT = re.compile(r"#\s*exit\s+(?P<code>\d+)\s*$")
_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass(frozen=True)
class Block:
    """One fenced code block of a tutorial: its language, optional file title, text and first line."""

    language: str
    title: str | None
    body: str
    line: int


@dataclass(frozen=True)
class Command:
    """One ``$ configurator ...`` line of a console block, the exit code and the output it shows."""

    args: list[str]
    exit_code: int
    expected: str


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order."""
    blocks = []
    for match in _FENCE.finditer(text):
        info = match["info"].strip()
        title = _TITLE.search(info)
        blocks.append(
            Block(
                language=info.split(" ", 1)[0] if info else "",
                title=title["title"] if title else None,
                body=match["body"],
                line=text.count("\n", 0, match.start()) + 2,
            )
        )
    return blocks


def console_commands(body: str) -> list[Command]:
    """The commands of a console block with the output shown under each."""
    commands: list[Command] = []
    for chunk in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
        command, _, expected = chunk.partition("\n")
        code = _EXIT.search(command)
        args = shlex.split(command, comments=True)
        assert args[0] == "configurator", f"not a configurator command: {command}"
        commands.append(Command(args[1:], int(code["code"]) if code else 0, expected))
    return commands


def run_tutorial(path: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Run the tutorial at ``path`` in ``folder`` (the current directory) block by block."""
    shutil.copytree(ROOT / "catalogs", folder / "catalogs")
    namespace: dict[str, Any] = {"__name__": "__tutorial__"}
    for block in code_blocks(path.read_text(encoding="utf-8")):
        where = f"{path.name}:{block.line}"
        if block.title is not None:
            (folder / block.title).write_text(block.body, encoding="utf-8")
        elif block.language == "python":
            exec(
                compile(block.body, where, "exec"), namespace
            )  # the tutorial's own code, as a reader runs it
        elif block.language == "console":
            for command in console_commands(block.body):
                capsys.readouterr()
                code = main(command.args)
                printed = capsys.readouterr()
                shown = printed.out + printed.err
                assert code == command.exit_code, f"{where}: {command.args} exited {code}:\n{shown}"
                assert _CHECKER.check_output(command.expected, shown, _FLAGS), (
                    f"{where}: configurator {shlex.join(command.args)} printed\n{shown}\n"
                    f"where the tutorial shows\n{command.expected}"
                )


@pytest.mark.parametrize("tutorial", TUTORIALS, ids=[path.name for path in TUTORIALS])
def test_tutorial_runs_as_written(
    tutorial: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every block of the tutorial runs in order and leaves the files it promises (the shop one a PDF)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    run_tutorial(tutorial, tmp_path, capsys)
    for name in PRODUCED.get(tutorial.name, ()):
        produced = tmp_path / name
        assert produced.is_file(), f"{tutorial.name} did not write {name}"
        if name.endswith(".pdf"):
            assert produced.read_bytes().startswith(b"%PDF"), f"{name} is not a PDF"


def test_every_tutorial_is_checked() -> None:
    """The tutorials are found, and each one's promised files are listed."""
    assert {path.name for path in TUTORIALS} == set(PRODUCED)


def test_console_output_must_match_what_the_block_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A console block whose output differs from what the command prints fails; ``...`` matches anything."""
    monkeypatch.chdir(tmp_path)
    tutorial = tmp_path / "tutorial-x.md"
    good = "```console\n$ configurator validate catalogs/kitchen.yaml\ncatalogs/kitchen.yaml: ok: ...\n```\n"
    tutorial.write_text(good, encoding="utf-8")
    run_tutorial(tutorial, tmp_path, capsys)
    shutil.rmtree(tmp_path / "catalogs")
    tutorial.write_text(good.replace("ok: ...", "broken"), encoding="utf-8")
    with pytest.raises(AssertionError, match="where the tutorial shows"):
        run_tutorial(tutorial, tmp_path, capsys)


def test_code_blocks_keep_order_titles_and_lines() -> None:
    """Blocks come back in order with their language, file title and first line; exit codes are read."""
    text = 'Intro\n```yaml title="a.yaml"\nx: 1\n```\n\n```console\n$ configurator lint a.yaml  # exit 1\nbad\n```\n'
    blocks = code_blocks(text)
    assert [(b.language, b.title, b.line) for b in blocks] == [("yaml", "a.yaml", 3), ("console", None, 7)]
    assert console_commands(blocks[1].body) == [Command(["lint", "a.yaml"], 1, "bad\n")]
