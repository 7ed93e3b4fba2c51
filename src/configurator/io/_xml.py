"""Defused XML reading for the importers: expat builds an ElementTree; DOCTYPE and ENTITY are refused.

Refusing document type declarations closes off entity expansion ("billion laughs") and external entities.
Line numbers of elements are kept so that errors can name ``file:line``.

Example:
    >>> root, lines = parse_xml(b"<a>\\n  <b x='1'/>\\n</a>", "t.xml")
    >>> root.find("b").get("x"), lines[root.find("b")]
    ('1', 2)
    >>> parse_xml(b"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "t.xml")
    Traceback (most recent call last):
    ...
    configurator.errors.ModelFormatError: t.xml:1: XML document type declarations (DOCTYPE) are not accepted
"""

from __future__ import annotations

import io
import lzma
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from configurator.errors import ModelFormatError
from configurator.io._read import open_model

__all__ = ["MAX_XML_BYTES", "is_compressed", "parse_xml", "read_xml_bytes", "root_element", "root_tag"]

MAX_XML_BYTES = 1 << 30
"""The most bytes a compressed model may expand to (1 GiB): a guard against decompression bombs."""


class _Found(Exception):
    """Stops parsing once the root element is known."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        super().__init__(tag)
        self.tag = tag
        self.attrs = attrs


def _parser(source: str) -> expat.XMLParserType:
    parser = expat.ParserCreate()

    def doctype(name: str, *_: object) -> None:
        raise ModelFormatError(
            f"{source}:{parser.CurrentLineNumber}: XML document type declarations (DOCTYPE) are not accepted"
        )

    def entity(name: str, *_: object) -> None:
        raise ModelFormatError(
            f"{source}:{parser.CurrentLineNumber}: XML entity declarations are not accepted"
        )

    def external(*_: object) -> int:
        raise ModelFormatError(f"{source}:{parser.CurrentLineNumber}: external XML entities are not accepted")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    return parser


def _malformed(source: str, exc: expat.ExpatError) -> ModelFormatError:
    return ModelFormatError(
        f"{source}:{exc.lineno}:{exc.offset + 1}: malformed XML: {expat.ErrorString(exc.code)}"
    )


def parse_xml(data: bytes, source: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """Parse an XML document; return its root element and the line of every element.

    Raises:
        ModelFormatError: for malformed XML, a DOCTYPE or an entity declaration (with ``file:line``).
    """
    parser = _parser(source)
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[builder.start(tag, attrs)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise _malformed(source, exc) from None
    return builder.close(), lines


def is_compressed(path: str | Path) -> bool:
    """Whether ``path`` names an xz-compressed file (``*.xz``), read through :mod:`lzma`."""
    return Path(path).suffix.lower() == ".xz"


class _OwnedLZMAFile(lzma.LZMAFile):
    """An xz stream over a file it opened itself, closing that file with it."""

    def __init__(self, raw: io.BufferedReader) -> None:
        super().__init__(raw, "rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _open(path: str | Path) -> io.BufferedIOBase:
    stream = open_model(path)  # a regular file only: a FIFO or a device is refused, never read
    if is_compressed(path):
        return _OwnedLZMAFile(stream)  # type: ignore[arg-type]
    return stream  # type: ignore[return-value]


def read_xml_bytes(path: str | Path, limit: int = MAX_XML_BYTES) -> bytes:
    """The bytes of an XML file, decompressed when it is ``*.xz``.

    Raises:
        ModelFormatError: the file is not valid xz data, or expands beyond ``limit`` bytes.
    """
    with _open(path) as stream:
        try:
            data = stream.read(limit + 1)
        except lzma.LZMAError as exc:
            raise ModelFormatError(f"{path}: not a valid xz-compressed file ({exc})") from None
    if len(data) > limit:
        raise ModelFormatError(f"{path}: expands beyond {limit} bytes; not read")
    return data


def root_element(path: str | Path, chunk: int = 1 << 16) -> tuple[str, dict[str, str]]:
    """The name and attributes of the root element of an XML file (``*.xz`` decompressed), reading no further.

    Raises:
        ModelFormatError: when the file is not well-formed up to its root element, or declares a DOCTYPE.
    """
    parser = _parser(str(path))

    def start(tag: str, attrs: dict[str, str]) -> None:
        raise _Found(tag, attrs)

    parser.StartElementHandler = start
    with _open(path) as stream:
        try:
            while block := stream.read(chunk):
                parser.Parse(block, False)
            parser.Parse(b"", True)
        except _Found as found:
            return found.tag, found.attrs
        except expat.ExpatError as exc:
            raise _malformed(str(path), exc) from None
        except lzma.LZMAError as exc:
            raise ModelFormatError(f"{path}: not a valid xz-compressed file ({exc})") from None
    raise ModelFormatError(f"{path}: no XML root element")


def root_tag(path: str | Path, chunk: int = 1 << 16) -> str:
    """The name of the root element of an XML file, reading no further than needed.

    Raises:
        ModelFormatError: when the file is not well-formed up to its root element, or declares a DOCTYPE.
    """
    return root_element(path, chunk)[0]
