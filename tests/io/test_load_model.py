"""load_model: dispatch on suffix and content, clear errors for unknown formats, every real file loads."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import pytest

import configurator.io
from configurator.errors import ModelFormatError
from configurator.io import SUPPORTED_FORMATS, load_model
from configurator.solver.problem import Problem, Variable
from support import bench_file

UVL = "features\n  Car\n    optional\n      Turbo\n"
FEATUREIDE = '<featureModel><struct><and name="Car"><feature name="Turbo"/></and></struct></featureModel>'
SXFM = (
    "<feature_model name='c'><feature_tree>\n:r Car(car)\n\t:o Turbo(turbo)\n</feature_tree></feature_model>"
)
XCSP = '<instance><presentation format="XCSP 2.1"/></instance>'


def fake_xcsp(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Install a stand-in ``configurator.io.xcsp`` whose ``load_xcsp`` records its calls."""
    calls: list[Path] = []
    module = types.ModuleType("configurator.io.xcsp")

    def load_xcsp(path: str | Path) -> Problem:
        calls.append(Path(path))
        return Problem((Variable("x", (0, 1)),), name="xcsp")

    module.load_xcsp = load_xcsp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "configurator.io.xcsp", module)
    return calls


@pytest.mark.parametrize(
    ("name", "text", "names", "fmt"),
    [
        ("car.uvl", UVL, ("Car", "Turbo"), "uvl"),
        ("car.UVL", UVL, ("Car", "Turbo"), "uvl"),
        ("model.xml", FEATUREIDE, ("Car", "Turbo"), "featureide"),
        (
            "ext.xml",
            FEATUREIDE.replace("featureModel", "extendedFeatureModel"),
            ("Car", "Turbo"),
            "featureide",
        ),
        ("car.splx", SXFM, ("car", "turbo"), "sxfm"),
        ("car.sxfm", SXFM, ("car", "turbo"), "sxfm"),
        ("car.xml", SXFM, ("car", "turbo"), "sxfm"),
    ],
)
def test_dispatch_by_suffix_and_root_element(
    tmp_path: Path, name: str, text: str, names: tuple[str, ...], fmt: str
) -> None:
    """Each feature-model format is recognised and gives the same two-feature Problem."""
    path = tmp_path / name
    path.write_text(text)
    problem = load_model(path)
    assert problem.names == names and problem.meta["format"] == fmt
    assert len([a for a in problem.assignments() if problem.check(a)]) == 2


def test_clib_folder_dispatch(tmp_path: Path) -> None:
    """A folder with ``*_domains.txt`` is a CLib model."""
    (tmp_path / "m_domains.txt").write_text("V1 : a, b\n")
    (tmp_path / "m_rules").mkdir()
    (tmp_path / "m_rules" / "m_rule1.pm").write_text("or(\nV1 = b\nor)\n")
    problem = load_model(tmp_path)
    assert problem.meta["format"] == "clib" and problem.names == ("V1",)


def test_other_xml_goes_to_the_xcsp_importer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An .xml whose root is not a feature model is handed to configurator.io.xcsp.load_xcsp."""
    calls = fake_xcsp(monkeypatch)
    path = tmp_path / "csp.xml"
    path.write_text(XCSP)
    assert load_model(path).name == "xcsp"
    assert calls == [path]


def test_missing_xcsp_importer_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without configurator.io.xcsp, an XCSP file gives a ModelFormatError saying so."""
    monkeypatch.setitem(sys.modules, "configurator.io.xcsp", None)
    path = tmp_path / "csp.xml"
    path.write_text(XCSP)
    with pytest.raises(
        ModelFormatError, match=r"csp\.xml: looks like XCSP \(root <instance>\), but the XCSP importer"
    ):
        load_model(path)


def test_lenient_is_passed_to_uvl(tmp_path: Path) -> None:
    """``lenient=True`` reaches the UVL importer; skipped constructs land in ``meta['unsupported']``."""
    path = tmp_path / "m.uvl"
    path.write_text(UVL + "constraints\n  sum(Price) < 3\n")
    with pytest.raises(ModelFormatError, match=r"m\.uvl:6:3: unsupported construct: aggregate function"):
        load_model(path)
    unsupported = load_model(path, lenient=True).meta["unsupported"]
    assert isinstance(unsupported, tuple) and len(unsupported) == 1 and "m.uvl:6:3" in unsupported[0]


@pytest.mark.parametrize("name", ["model.json", "model", "model.xml.xz", "model.txt"])
def test_unknown_formats_list_the_supported_ones(tmp_path: Path, name: str) -> None:
    """An unknown suffix gives a ModelFormatError listing every supported format."""
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(ModelFormatError, match="unknown model format") as info:
        load_model(path)
    assert all(fmt in str(info.value) for fmt in SUPPORTED_FORMATS)


def test_folder_without_domains_and_missing_file(tmp_path: Path) -> None:
    """A plain folder is an unknown format; a missing file is FileNotFoundError."""
    with pytest.raises(ModelFormatError, match=r"a folder without a '\*_domains\.txt' file"):
        load_model(tmp_path)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.uvl")


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    """Content sniffing of a malformed .xml reports file:line:column."""
    path = tmp_path / "bad.xml"
    path.write_text("<?xml version='1.0'?>\n<<featureModel>")
    with pytest.raises(ModelFormatError, match=r"bad\.xml:2:2: malformed XML"):
        load_model(path)


DOC = Path(__file__).resolve().parents[2] / "docs" / "importers.md"


@pytest.mark.skipif(not DOC.is_file(), reason="docs/importers.md is absent")
def test_the_documented_example_runs() -> None:
    """The Python example of docs/importers.md runs as written."""
    text = DOC.read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, str(DOC), "exec"), {})


def test_public_names_are_exported_sorted() -> None:
    """``configurator.io.__all__`` names existing objects, constants first, then classes, then functions."""
    names = configurator.io.__all__
    assert all(hasattr(configurator.io, n) for n in names)
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))


REAL = [  # one or two per format; test_uvl.py loads every UVL file
    ("uvl-models/berkeleydb.uvl", 76),
    ("uvl-models/bike.uvl", 11),
    ("featureide-examples/FeatureModels/UVLAttributedSandwich/model.uvl", 19),
    ("featureide-examples/ExtendedFeatureModeling/BikeConfigurator/model.xml", 55),
    ("featureide-examples/ExtendedFeatureModeling/PcConfigurator/model.xml", 377),
    ("splot-dell/DELL.splx", 47),
    ("renault-clib-megane", 99),
]


@pytest.mark.parametrize(("name", "variables"), REAL, ids=[Path(r[0]).name for r in REAL])
def test_every_real_feature_model_loads(name: str, variables: int) -> None:
    """Real models of every format and the CLib folder load through load_model (bike.uvl leniently)."""
    path = bench_file(name)
    start = time.perf_counter()
    problem = load_model(path, lenient=name.endswith("bike.uvl"))
    assert len(problem.variables) == variables
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("size", ["small", "medium", "big"])
def test_xcsp_files_are_routed_to_the_xcsp_importer(size: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real XCSP 2.1 files are recognised as XCSP (the XCSP importer itself is tested elsewhere)."""
    path = bench_file("renault-gimenez-phd", f"renault_{size}", "contraintes.xml")
    calls = fake_xcsp(monkeypatch)
    load_model(path)
    assert calls == [path]


@pytest.mark.parametrize(
    ("size", "variables", "tables"), [("small", 139, 147), ("medium", 148, 174), ("big", 268, 332)]
)
def test_real_xcsp_files_load_through_the_xcsp_importer(size: str, variables: int, tables: int) -> None:
    """With configurator.io.xcsp present, the Renault XCSP 2.1 files load with their SOURCES.md sizes."""
    pytest.importorskip("configurator.io.xcsp", reason="the XCSP importer is not installed")
    problem = load_model(bench_file("renault-gimenez-phd", f"renault_{size}", "contraintes.xml"))
    assert len(problem.variables) == variables and len(problem.constraints) == tables
