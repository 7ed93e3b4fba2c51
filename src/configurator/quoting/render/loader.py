"""The loader of a tenant's template folders: regular files inside the folder only, read with a size limit.

A tenant writes its template folder; the product reads it. :class:`TenantLoader` never follows a symbolic link
there (a link to ``/etc/passwd`` named ``quote.txt.j2``, or a linked sub-folder), never opens a FIFO or a device,
and reads at most :data:`TEMPLATE_BYTES` per file. A refused template raises
:class:`~configurator.errors.TemplateSecurityError` naming the template and why, never showing what the file
holds. The folder itself may be a link (the operator names it; it is resolved once).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.j2").write_text("{{ 1 }}")
    >>> (folder / "b.j2").symlink_to("/etc/hostname")
    >>> loader = TenantLoader([folder])
    >>> loader.get_source(None, "a.j2")[0]
    '{{ 1 }}'
    >>> loader.get_source(None, "b.j2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    configurator.errors.TemplateSecurityError: b.j2: refused: .../b.j2 is a symbolic link (tenant templates must be regular files in the folder)
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from configurator.catalog.files import open_regular
from configurator.errors import QuoteTemplateError, TemplateSecurityError

__all__ = ["TEMPLATE_BYTES", "TenantLoader"]

TEMPLATE_BYTES = 128 * 1024
"""The largest template or style sheet a tenant folder may hold (bytes): ten times the largest default template.

Compiling is not covered by the render's time budget and takes about 1.5 s for 128 KiB of the densest template
(``{{ a }}`` repeated); compiled templates are cached per process.
"""


class TenantLoader(jinja2.BaseLoader):
    """Templates from a tenant's folders (first one that has the name wins), refusing anything but a regular file.

    Args:
        folders: the tenant's template folders (resolved paths).
        max_bytes: the largest file read.
    """

    def __init__(self, folders: Sequence[str], max_bytes: int = TEMPLATE_BYTES) -> None:
        self.folders = [os.path.realpath(f) for f in folders]
        self.max_bytes = max_bytes

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The text, file name and up-to-date check of ``template``, or TemplateNotFound."""
        pieces = split_template_path(template)
        for folder in self.folders:
            path = os.path.join(folder, *pieces)
            found = self._lstat(template, folder, pieces)
            if found is None:
                continue
            return self._read(template, path, found), path, _uptodate(path, found)
        raise jinja2.TemplateNotFound(template)

    def _lstat(self, template: str, folder: str, pieces: Sequence[str]) -> os.stat_result | None:
        """The file's own status, every component checked (no link anywhere); None when it is not there."""
        path = folder
        found: os.stat_result | None = None
        for piece in pieces:
            path = os.path.join(path, piece)
            try:
                found = os.lstat(path)
            except (FileNotFoundError, NotADirectoryError):
                return None
            except (OSError, ValueError) as exc:
                raise TemplateSecurityError(template, 0, f"refused: {path} cannot be read ({exc})") from None
            if stat.S_ISLNK(found.st_mode):
                why = "tenant templates must be regular files in the folder"
                raise TemplateSecurityError(template, 0, f"refused: {path} is a symbolic link ({why})")
        if found is None or not stat.S_ISREG(found.st_mode):
            if found is not None and stat.S_ISDIR(found.st_mode):
                return None
            raise TemplateSecurityError(template, 0, f"refused: {path} is not a regular file")
        return found

    def _read(self, template: str, path: str, expected: os.stat_result) -> str:
        """The file's text: the same file as checked (not swapped since), at most ``max_bytes``, UTF-8."""
        try:
            with open_regular(path) as stream:
                opened = os.fstat(stream.fileno())
                if (opened.st_dev, opened.st_ino) != (expected.st_dev, expected.st_ino):
                    raise OSError(errno.ESTALE, "changed while it was read", path)
                data = stream.read(self.max_bytes + 1)
        except OSError as exc:
            raise TemplateSecurityError(template, 0, f"refused: {path}: {exc.strerror or exc}") from None
        if len(data) > self.max_bytes:
            raise TemplateSecurityError(
                template, 0, f"refused: {path} is larger than {self.max_bytes:,} bytes"
            )
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise QuoteTemplateError(template, 0, f"{path} is not UTF-8 text") from None


def _uptodate(path: str, found: os.stat_result) -> Callable[[], bool]:
    def uptodate() -> bool:
        try:
            now = os.lstat(path)
        except OSError:
            return False
        return (now.st_ino, now.st_mtime_ns, now.st_size) == (found.st_ino, found.st_mtime_ns, found.st_size)

    return uptodate
