"""Importers read regular files only, with a hard size limit: a FIFO or a device is refused at once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from configurator.errors import ModelFormatError
from configurator.io import load_model
from configurator.io._read import read_model_bytes


@pytest.mark.parametrize("name", ["m.uvl", "m.xml", "m.xml.xz", "m.sxfm"])
def test_a_fifo_named_like_a_model_is_refused_without_blocking(tmp_path: Path, name: str) -> None:
    """load_model on a FIFO answers 'not a regular file' instead of waiting for a writer."""
    os.mkfifo(tmp_path / name)
    raised: list[BaseException] = []

    def load() -> None:
        try:
            load_model(tmp_path / name)
        except BaseException as exc:  # the test inspects what was raised
            raised.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "the importer blocked on a FIFO"
    assert isinstance(raised[0], ModelFormatError) and "not a regular file (a FIFO)" in str(raised[0])


def test_a_device_and_an_oversized_file_are_refused(tmp_path: Path) -> None:
    """/dev/zero is refused as a device; a file over the limit is refused after reading the limit only."""
    with pytest.raises(ModelFormatError, match="a character device"):
        read_model_bytes("/dev/zero")
    path = tmp_path / "m.uvl"
    path.write_text("features\n    A\n")
    with pytest.raises(ModelFormatError, match="larger than the limit of 4 bytes"):
        read_model_bytes(path, max_bytes=4)
    with pytest.raises(FileNotFoundError):
        read_model_bytes(tmp_path / "missing.uvl")
