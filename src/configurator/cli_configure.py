"""The interactive terminal configurator behind ``configurator configure CATALOG``.

Commands (one per line): ``show``, ``select MODULE.OPTION [QTY]``, ``deselect MODULE.OPTION``,
``unset MODULE.OPTION``, ``why MODULE.OPTION``, ``complete [defaults|recommended|cheapest]``, ``repair``,
``count``, ``help``, ``quit``. Every step shows only choices that still extend to a valid configuration; a
choice that cannot be made is refused with its reason and the cheapest repair.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable

from rich.console import Console

from configurator.catalog.models import Catalog
from configurator.errors import ConfiguratorError
from configurator.solver.session import ConfigurationSession

__all__ = ["run_interactive"]

HELP = (
    "commands: show | select M.O [QTY] | deselect M.O | unset M.O | why M.O | "
    "complete [defaults|recommended|cheapest] | repair | count | help | quit"
)


def _split(target: str) -> tuple[str, str]:
    module, _, option = target.partition(".")
    if not option:
        raise ConfiguratorError(f"expected MODULE.OPTION, got {target!r}")
    return module, option


def _show(session: ConfigurationSession, console: Console) -> None:
    domains = session.domains()
    chosen = {c.key: c for c in session.choices}
    cat = session.catalog
    for module, options in domains.items():
        marks = []
        for option in options:
            key = f"{module}.{option}"
            flag = "*" if key in chosen and chosen[key].selected else " "
            marks.append(f"{flag}{option}")
        label = cat.text(cat.modules[module].label, None, module)
        console.print(
            f"{module} ({label}): {' '.join(marks) if marks else '(nothing possible)'}", markup=False
        )


def run_interactive(
    catalog: Catalog,
    on: dt.date | None,
    console: Console,
    lines: Iterable[str] | None = None,
    prompt: Callable[[], str] | None = None,
) -> None:
    """Run the configurator loop over ``lines`` (default: standard input) until ``quit`` or end of input."""
    session = ConfigurationSession(catalog, on=on)
    console.print(f"{catalog.catalog} {catalog.version}: {HELP}", markup=False)
    source = iter(lines) if lines is not None else (line for line in sys.stdin)
    _show(session, console)
    for raw in source:
        words = raw.split()
        if not words:
            continue
        command, args = words[0].lower(), words[1:]
        try:
            if command in ("quit", "exit", "q"):
                break
            if command == "help":
                console.print(HELP, markup=False)
            elif command == "show":
                _show(session, console)
            elif command == "select" and args:
                module, option = _split(args[0])
                qty = int(args[1]) if len(args) > 1 else None
                reason = session.why(module, option)
                if reason is not None:
                    console.print(
                        f"{module}.{option} is not possible: choices {', '.join(reason.choices) or '-'}; "
                        f"rules {', '.join(reason.constraints) or '-'}",
                        markup=False,
                    )
                    session.select(module, option, qty)
                    wanted = f"{module}.{option}"
                    # the choice just asked for outweighs all the others: the repair must keep it
                    fix = session.repair({wanted: len(session.choices)})
                    session.unset(module, option)
                    if fix is not None and fix.drop and wanted not in fix.drop:
                        console.print(f"to choose it, give up: {', '.join(fix.drop)}", markup=False)
                    continue
                session.select(module, option, qty)
                _show(session, console)
            elif command == "deselect" and args:
                session.deselect(*_split(args[0]))
                _show(session, console)
            elif command == "unset" and args:
                session.unset(*_split(args[0]))
                _show(session, console)
            elif command == "why" and args:
                reason = session.why(*_split(args[0]))
                console.print(
                    "possible"
                    if reason is None
                    else f"blocked by choices {', '.join(reason.choices) or '-'}; "
                    f"rules {', '.join(reason.constraints) or '-'}",
                    markup=False,
                )
            elif command == "complete":
                config = session.complete(args[0] if args else "defaults")
                if config is None:
                    console.print("no valid completion", markup=False)
                else:
                    for module, option, qty in config.items():
                        console.print(f"{module}.{option}" + (f" x{qty}" if qty > 1 else ""), markup=False)
            elif command == "repair":
                fix = session.repair()
                console.print(
                    "nothing to repair" if fix is None or not fix.drop else f"give up: {', '.join(fix.drop)}",
                    markup=False,
                )
            elif command == "count":
                console.print(str(session.count()), markup=False)
            else:
                console.print(f"unknown command {raw.strip()!r}; {HELP}", markup=False)
        except (ConfiguratorError, ValueError) as exc:
            console.print(f"error: {exc}", markup=False)
