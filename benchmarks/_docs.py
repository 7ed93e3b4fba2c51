"""Shared by the benchmark scripts: rewrite one section of docs/benchmarks.md, leaving the others alone."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEAD = (
    "# Benchmarks\n\nScripts in `benchmarks/` print these tables and rewrite their own section; "
    "timings are not unit tests.\n\n"
)


def update_section(title: str, section: str, doc: Path = DOC) -> None:
    """Replace the section that starts with the line ``title`` (e.g. ``## Solver``) by ``section``, or append it."""
    current = doc.read_text(encoding="utf-8") if doc.exists() else HEAD
    marker = title + "\n"
    if marker in current:
        before, _, rest = current.partition(marker)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        current = before + section + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + section
    doc.write_text(current, encoding="utf-8")
