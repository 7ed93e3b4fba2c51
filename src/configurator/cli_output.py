"""Moved to :mod:`configurator.cli.output`; this name stays for the modules not moved yet."""

from __future__ import annotations

from configurator.cli.output import err, out

__all__ = ["err", "out"]
