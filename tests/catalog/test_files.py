"""The catalog trust boundary: files a catalog names stay in its folder, regular files only, read with a limit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from configurator.catalog.files import inside, open_regular, read_limited
from configurator.catalog.loader import load_catalog, validate_catalog
from configurator.errors import CatalogError

HEAD = 'catalog: bike\nversion: "1"\ncurrency: EUR\nlocales: [en]\n'
FRAME = "modules:\n  frame:\n    options:\n      alu: {price: 420}\n"
LIBRARY = "library: care\nservices:\n  fit: {kind: advisory, price: 80}\n"


def _catalog(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "c.yaml"
    path.write_text(text)
    return path


def _errors(path: Path, roots: tuple[Path, ...] = ()) -> str:
    started = time.perf_counter()
    report = validate_catalog(path, roots)
    assert time.perf_counter() - started < 2, "a refused path must be refused at once"
    return "\n".join(str(problem) for problem in report.errors)


@pytest.mark.parametrize("named", ["/etc/passwd", "/dev/zero", "/proc/self/environ", "../outside.yaml"])
def test_an_include_outside_the_catalog_folder_is_refused_and_never_read(tmp_path: Path, named: str) -> None:
    """include: of a path outside the catalog's folder is named as refused; its content never appears."""
    (tmp_path / "outside.yaml").write_text("library: secret-words\n")
    path = _catalog(tmp_path / "shop", HEAD + f"include: [{named}]\n" + FRAME)
    message = _errors(path)
    assert "refused" in message and "outside the catalog's folder" in message
    assert "root:" not in message and "secret-words" not in message


def test_a_product_outside_the_folder_is_refused_whether_or_not_it_exists(tmp_path: Path) -> None:
    """product: ../x.yaml is refused the same way for an existing and a missing file (no existence oracle)."""
    (tmp_path / "there.yaml").write_text(HEAD + FRAME)
    text = HEAD + FRAME + "      steel: {product: ../there.yaml}\n      wood: {product: ../missing.yaml}\n"
    message = _errors(_catalog(tmp_path / "shop", text))
    assert message.count("refused") == 2


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    """A link inside the folder that points outside it is judged by where it points."""
    (tmp_path / "secret.yaml").write_text(LIBRARY)
    shop = tmp_path / "shop"
    shop.mkdir()
    os.symlink(tmp_path / "secret.yaml", shop / "lib.yaml")
    assert "refused" in _errors(_catalog(shop, HEAD + "include: [lib.yaml]\n" + FRAME))


def test_a_folder_named_in_roots_or_the_setting_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Includes from a folder passed as a root, or named in CONFIGURATOR_CATALOG_ROOTS, load."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "care.yaml").write_text(LIBRARY)
    path = _catalog(tmp_path / "shop", HEAD + "include: [../shared/care.yaml]\n" + FRAME)
    assert "refused" in _errors(path)
    assert "fit" in load_catalog(path, roots=[shared]).services
    monkeypatch.setenv("CONFIGURATOR_CATALOG_ROOTS", f"{tmp_path / 'elsewhere'}{os.pathsep}{shared}")
    assert "fit" in load_catalog(path).services


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """include: of a FIFO inside the folder answers 'not a regular file' instead of waiting for a writer."""
    shop = tmp_path / "shop"
    shop.mkdir()
    os.mkfifo(shop / "pipe.yaml")
    path = _catalog(shop, HEAD + "include: [pipe.yaml]\n" + FRAME)
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(_errors(path)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "the loader blocked on a FIFO"
    assert "not a regular file (a FIFO)" in found[0]


def test_a_device_given_as_the_catalog_is_refused(tmp_path: Path) -> None:
    """/dev/zero as the catalog itself is refused as a character device, at once."""
    with pytest.raises(CatalogError, match=r"not a regular file \(a character device\)"):
        load_catalog("/dev/zero")


def test_read_limited_reads_up_to_the_limit_and_refuses_one_byte_more(tmp_path: Path) -> None:
    """Exactly max_bytes is read; one byte more is refused (EFBIG), whatever the size stat reports."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 10)
    assert read_limited(path, 10) == b"x" * 10
    with pytest.raises(OSError, match="larger than the limit of 9 bytes"):
        read_limited(path, 9)
    with pytest.raises(OSError, match="a character device"):
        read_limited("/dev/zero", 10)
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)


def test_inside_follows_links_and_refuses_unresolvable_names(tmp_path: Path) -> None:
    """inside() judges the resolved path; a name with a NUL is never inside."""
    assert inside(tmp_path / "a" / ".." / "b.yaml", [tmp_path])
    assert not inside(tmp_path / ".." / "b.yaml", [tmp_path])
    assert not inside(Path("a\0b"), [tmp_path])
