"""Where the public benchmark data lives: one lookup for tests, benchmarks and the command line.

The Renault configuration problems, feature models and CDNOW purchases are not shipped with the package (the
Renault files state no licence). They are found, in this order:

1. the folder named by the ``CONFIGURATOR_BENCHDATA`` environment variable, when it is set;
2. ``shared/benchdata`` next to the source checkout (``<repo>/../shared/benchdata``).

Nothing here names a machine: a checkout moved anywhere finds the data beside it, and a machine that keeps it
elsewhere says where with the environment variable.

Example:
    >>> import os
    >>> saved = os.environ.pop("CONFIGURATOR_BENCHDATA", None)
    >>> os.environ["CONFIGURATOR_BENCHDATA"] = "bench"
    >>> benchdata_dir().as_posix(), benchdata_path("cdnow", "CDNOW_master.txt").as_posix()
    ('bench', 'bench/cdnow/CDNOW_master.txt')
    >>> del os.environ["CONFIGURATOR_BENCHDATA"]
    >>> benchdata_dir().parts[-2:]
    ('shared', 'benchdata')
    >>> if saved is not None:  # the folder this run was given
    ...     os.environ["CONFIGURATOR_BENCHDATA"] = saved
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["BENCHDATA_ENV", "benchdata_dir", "benchdata_path"]

BENCHDATA_ENV = "CONFIGURATOR_BENCHDATA"
"""The environment variable that names the benchmark data folder."""

_REPO = Path(__file__).resolve().parents[3]
"""The source checkout: ``<repo>/src/configurator/io/benchdata.py``."""


def benchdata_dir() -> Path:
    """The benchmark data folder: ``$CONFIGURATOR_BENCHDATA`` if set, else ``<repo>/../shared/benchdata``.

    The folder may not exist; callers check and say what is missing.

    Example:
        >>> isinstance(benchdata_dir(), Path)
        True
    """
    configured = os.environ.get(BENCHDATA_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return (_REPO.parent / "shared" / "benchdata").resolve()


def benchdata_path(*parts: str) -> Path:
    """A path inside the benchmark data folder, e.g. ``benchdata_path("renault-gimenez-phd", "big.xml")``.

    Example:
        >>> benchdata_path("cdnow").name
        'cdnow'
    """
    return benchdata_dir().joinpath(*parts)
