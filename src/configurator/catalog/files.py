"""Reading files a user names, safely: regular files only, a hard size limit, and folders they must stay in.

A catalog names other files (``include:``, ``product:``) and the importers read whatever path they are given.
A path that names a FIFO would block the reader forever, ``/dev/zero`` never ends, and ``include: [/etc/passwd]``
would put another file's content in an error message. So:

- :func:`open_regular` opens without blocking and refuses anything that is not a regular file (a directory, a
  FIFO, a socket, a device) *after* opening it (no check-then-open race);
- :func:`read_limited` reads at most ``max_bytes`` (one byte more tells it is too big), whatever ``stat`` says;
- :func:`inside` tells whether a resolved path (symbolic links followed) is inside one of the allowed folders.

Refusals are :class:`OSError` with a plain ``strerror``, so callers report them like any unreadable file.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.yaml").write_text("catalog: x")
    >>> read_limited(folder / "a.yaml", 100)
    b'catalog: x'
    >>> read_limited(folder / "a.yaml", 5)
    Traceback (most recent call last):
    ...
    OSError: [Errno 27] larger than the limit of 5 bytes: ...
    >>> read_limited(folder, 100)
    Traceback (most recent call last):
    ...
    IsADirectoryError: [Errno 21] not a regular file (a directory): ...
    >>> inside(folder / "a.yaml", [folder]), inside(pathlib.Path("/etc/passwd"), [folder])
    (True, False)
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

__all__ = ["inside", "open_regular", "read_limited"]

_KINDS = (
    (stat.S_ISDIR, "a directory", errno.EISDIR),
    (stat.S_ISFIFO, "a FIFO", errno.EINVAL),
    (stat.S_ISSOCK, "a socket", errno.EINVAL),
    (stat.S_ISCHR, "a character device", errno.EINVAL),
    (stat.S_ISBLK, "a block device", errno.EINVAL),
)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading in binary, refusing anything but a regular file, never blocking on a FIFO.

    Raises:
        OSError: the file cannot be opened, or is not a regular file (``strerror`` says what it is).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind, code = next(((k, c) for test, k, c in _KINDS if test(mode)), ("not a file", errno.EINVAL))
            raise OSError(code, f"not a regular file ({kind})", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, read with that limit (``stat`` is not trusted).

    Raises:
        OSError: as :func:`open_regular`, or ``EFBIG`` when the file holds more than ``max_bytes``.
    """
    with open_regular(path) as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"larger than the limit of {max_bytes:,} bytes", str(path))
    return data


def inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``path``, resolved (symbolic links followed), is one of ``roots`` or below one of them."""
    try:
        resolved = path.resolve()
    except (OSError, ValueError):
        return False
    for root in roots:
        try:
            resolved.relative_to(root.resolve())
        except (OSError, ValueError):
            continue
        return True
    return False
