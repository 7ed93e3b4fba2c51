"""Reading an input model file safely: a regular file only (never a FIFO or a device), with a hard size limit.

Example:
    >>> read_model_bytes("/dev/zero")
    Traceback (most recent call last):
    ...
    configurator.errors.ModelFormatError: /dev/zero: not a regular file (a character device); not read
"""

from __future__ import annotations

import errno
import os
from typing import BinaryIO

from configurator.catalog.files import open_regular, read_limited
from configurator.errors import ModelFormatError

__all__ = ["MAX_MODEL_BYTES", "open_model", "read_model_bytes", "read_model_text"]

MAX_MODEL_BYTES = 1 << 28
"""The largest input model file read (256 MiB); compressed XML has its own limit on the expanded size."""


def _refused(path: str | os.PathLike[str], exc: OSError) -> ModelFormatError:
    return ModelFormatError(f"{os.fspath(path)}: {exc.strerror}; not read")


def open_model(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a model file for reading, refusing anything but a regular file.

    Raises:
        FileNotFoundError: no such file (as ``open`` does).
        ModelFormatError: not a regular file (a directory, a FIFO, a device...).
    """
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.EISDIR or "not a regular file" in (exc.strerror or ""):
            raise _refused(path, exc) from None
        raise


def read_model_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_MODEL_BYTES) -> bytes:
    """The bytes of a model file of at most ``max_bytes`` (a regular file only).

    Raises:
        FileNotFoundError: no such file.
        ModelFormatError: not a regular file, or larger than ``max_bytes``.
    """
    try:
        return read_limited(path, max_bytes)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in (errno.EFBIG, errno.EISDIR) or "not a regular file" in (exc.strerror or ""):
            raise _refused(path, exc) from None
        raise


def read_model_text(path: str | os.PathLike[str], encoding: str = "utf-8") -> str:
    """The text of a model file (see :func:`read_model_bytes`); invalid text is a ModelFormatError."""
    raw = read_model_bytes(path)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ModelFormatError(
            f"{os.fspath(path)}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
