"""Shared by the benchmark scripts: quick mode, and rewriting one section of docs/benchmarks.md.

Every section a script writes starts with a line naming the commit it was measured on (and the machine, where
the script's own text does not name the interpreter already), so that a table can be traced to the code it
measured.

Quick mode (``BENCH_QUICK=1`` in the environment): each script runs a short version (smaller sizes, fewer
repeats, fewer data sets), prints its tables and leaves docs/benchmarks.md alone, unless it is given ``--doc``
(or ``BENCH_DOC=1``); a quick section written on purpose says so in its first line. ``--no-doc`` (or
``BENCH_DOC=0``) never writes.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEAD = (
    "# Benchmarks\n\nScripts in `benchmarks/` print these tables and rewrite their own section; timings are"
    " not unit tests. `make bench` (`benchmarks/run_all.py`) runs every script, each in its own process, "
    "and ends with a summary table (script, status, seconds); `make bench-flamapy` runs the flamapy peer "
    "alone. Each section opens with the commit it was measured on (and the machine, where the text does "
    "not name it). The benchmark data (Renault, CDNOW, feature models) is found through "
    "`CONFIGURATOR_BENCHDATA`, else `../shared/benchdata` beside the checkout; a script whose data is "
    "absent says SKIPPED and exits 0.\n\nQuick mode: `BENCH_QUICK=1 make bench` runs every script's short "
    "version (smaller sizes, fewer repeats, one Renault model instead of three) in a few minutes. It "
    "prints the tables and leaves this file alone, so the tables below are always full runs; a script "
    "given `--doc` writes its section anyway, and that section says it was a quick run.\n\n"
)
"""The opening of docs/benchmarks.md when a script creates it."""
QUICK_ENV = "BENCH_QUICK"
"""The environment variable that asks every script for its short version."""
DOC_ENV = "BENCH_DOC"
"""``0``: no script writes the doc; ``1``: every script writes it, even in quick mode (``run_all.py`` sets it)."""
STAMP = "Measured on "
"""How the provenance line of a section starts (it is the first line after the title)."""


def quick() -> bool:
    """Whether ``BENCH_QUICK`` asks for the short version (set, and not ``0``, ``false``, ``no`` or empty).

    Example:
        >>> os.environ[QUICK_ENV] = "1"; quick()
        True
        >>> os.environ[QUICK_ENV] = "0"; quick()
        False
        >>> del os.environ[QUICK_ENV]
    """
    return os.environ.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false", "no")


def pick(full: int, short: int) -> int:
    """``short`` in quick mode, else ``full`` (a default for an argument)."""
    return short if quick() else full


def _git(*args: str, root: Path = ROOT) -> str | None:
    """The output of one git command in the repository, or None without git or outside a repository."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@functools.cache
def commit(root: Path = ROOT) -> str:
    """The measured code: ``commit abc1234``, with ``(with uncommitted changes)`` when the code differs from it.

    Read once per process (:func:`add_doc_options` reads it when the script starts, so a commit made during a
    long run does not relabel it). Without git, or outside a repository: ``an unknown commit (no git
    repository)``.
    """
    head = _git("rev-parse", "--short", "HEAD", root=root)
    if head is None or not head.strip():
        return "an unknown commit (no git repository)"
    # The results page itself is not measured code: a run that rewrites it section by section stays clean.
    status = _git(
        "status", "--porcelain", "--", ".", f":(exclude){DOC.relative_to(ROOT).as_posix()}", root=root
    )
    if status is None:
        return f"commit {head.strip()} (working tree state unknown)"
    return f"commit {head.strip()}" + (" (with uncommitted changes)" if status.strip() else "")


def machine() -> str:
    """The interpreter and machine, e.g. ``CPython 3.11.7, 2 CPUs, x86_64``."""
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.machine()}"
    )


def provenance(section: str = "", root: Path = ROOT) -> str:
    """The line that opens a section: the commit, the machine unless ``section`` names the interpreter already.

    Example:
        >>> line = provenance(f"on {platform.python_version()}")
        >>> line.startswith(STAMP + "commit ") or line.startswith(STAMP + "an unknown"), "CPUs" in line
        (True, False)
        >>> "CPUs" in provenance("no interpreter named here")
        True
    """
    text = STAMP + commit(root)
    if platform.python_version() not in section:
        text += f" on {machine()}"
    if quick():
        text += f"; quick run ({QUICK_ENV}=1: reduced sizes, not the reference numbers)"
    return text + "."


def stamped(title: str, section: str, root: Path = ROOT) -> str:
    """``section`` with its provenance line right after the title (replacing an earlier one).

    Example:
        >>> text = stamped("## T", "## T\\n\\nBody.\\n")
        >>> lines = text.splitlines()
        >>> lines[0], lines[1], lines[2].startswith(STAMP), lines[3:]
        ('## T', '', True, ['', 'Body.'])
        >>> stamped("## T", text).count(STAMP)
        1
    """
    lines = section.split("\n")
    if not lines or lines[0] != title:
        lines = [title, "", *lines]
    body = lines[1:]
    while body and not body[0].strip():
        body = body[1:]
    if body and body[0].startswith(STAMP):
        body = body[1:]
        while body and not body[0].strip():
            body = body[1:]
    return "\n".join([title, "", provenance("\n".join(body), root), "", *body])


def writes_doc(doc_flag: bool = False, no_doc_flag: bool = False) -> bool:
    """Whether a script rewrites its section: its ``--no-doc``/``--doc`` flags, else ``BENCH_DOC``, else not quick.

    ``BENCH_DOC=0`` never writes, ``BENCH_DOC=1`` writes even in quick mode (``run_all.py --no-doc``/``--doc``
    set it for every script, whatever options they take).

    Example:
        >>> os.environ[QUICK_ENV] = "1"
        >>> writes_doc(), writes_doc(doc_flag=True)
        (False, True)
        >>> os.environ[DOC_ENV] = "1"; writes_doc(), writes_doc(no_doc_flag=True)
        (True, False)
        >>> del os.environ[QUICK_ENV], os.environ[DOC_ENV]
        >>> writes_doc()
        True
    """
    if no_doc_flag:
        return False
    if doc_flag:
        return True
    env = os.environ.get(DOC_ENV, "").strip().lower()
    if env in ("0", "false", "no"):
        return False
    if env in ("1", "true", "yes"):
        return True
    return not quick()


def update_section(
    title: str, section: str, doc: Path = DOC, *, stamp: bool = True, write: bool | None = None
) -> bool:
    """Replace the section that starts with the line ``title`` (e.g. ``## Solver``) by ``section``, or append it.

    Args:
        title: the section's heading line.
        section: its new text, heading included.
        doc: the Markdown file.
        stamp: open the section with the provenance line (:func:`stamped`); False when the caller keeps the
            section's existing line and dates its own part itself.
        write: whether to write (the script's ``--doc``/``--no-doc``); None: as :func:`writes_doc` says, so a
            quick run leaves the file alone.

    Returns:
        Whether the file was written.
    """
    if not (writes_doc() if write is None else write):
        why = f"quick run ({QUICK_ENV}=1)" if quick() else "asked not to write"
        print(f"{why}: {doc.name} left alone (pass --doc to write {title!r})", file=sys.stderr)
        return False
    if stamp:
        section = stamped(title, section)
    current = doc.read_text(encoding="utf-8") if doc.exists() else HEAD
    marker = title + "\n"
    if marker in current:
        before, _, rest = current.partition(marker)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        current = before + section + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + section
    doc.write_text(current, encoding="utf-8")
    return True


def add_doc_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-doc`` (print only) and ``--doc`` (write the section even in quick mode) to a script's parser.

    Also notes the commit now, as the script starts: the one its section will name.
    """
    commit()
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    group.add_argument(
        "--doc",
        action="store_true",
        help=f"rewrite this script's section of docs/benchmarks.md even in quick mode ({QUICK_ENV}=1)",
    )


def publish(
    title: str, section: str, args: argparse.Namespace, doc: Path = DOC, *, stamp: bool = True
) -> bool:
    """Write ``section`` as :func:`update_section` does, as the script's doc options say; whether it wrote.

    ``--no-doc``: never. ``--doc``: always. Neither: as :func:`writes_doc` says (not in quick mode).
    """
    write = writes_doc(bool(getattr(args, "doc", False)), bool(getattr(args, "no_doc", False)))
    return update_section(title, section, doc, stamp=stamp, write=write)
