"""Where the benchmark data is found, and what a test does when it is missing (``bench_file``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.io.benchdata import BENCHDATA_ENV, benchdata_dir, benchdata_path
from support import ROOT, bench_file


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty benchmark data folder named by the environment variable, outside CI."""
    monkeypatch.setenv(BENCHDATA_ENV, str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


def test_the_environment_variable_names_the_folder(bench: Path) -> None:
    """CONFIGURATOR_BENCHDATA is the folder, and paths inside it are joined part by part."""
    assert benchdata_dir() == bench
    assert (
        benchdata_path("renault-gimenez-phd", "renault_big") == bench / "renault-gimenez-phd" / "renault_big"
    )


@pytest.mark.parametrize("value", ["", "   "])
def test_without_the_variable_the_folder_is_beside_the_checkout(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unset or blank, the folder is shared/benchdata next to the repository."""
    monkeypatch.setenv(BENCHDATA_ENV, value)
    assert benchdata_dir() == (ROOT.parent / "shared" / "benchdata").resolve()


def test_bench_file_returns_an_existing_file_or_folder(bench: Path) -> None:
    """A present file or folder comes back as its path, with no skip."""
    (bench / "cdnow").mkdir()
    (bench / "cdnow" / "summary.csv").write_text("ID\n", encoding="utf-8")
    assert bench_file("cdnow") == bench / "cdnow"
    assert bench_file("cdnow", "summary.csv") == bench / "cdnow" / "summary.csv"


@pytest.mark.parametrize("ci", [None, ""])
def test_bench_file_skips_outside_ci(ci: str | None, bench: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside CI (CI unset or empty) a missing file skips the test, naming the path and the variable."""
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    missing = bench / "cdnow" / "summary.csv"
    with pytest.raises(BaseException) as outcome:  # a skip or a failure: both are outcome exceptions
        bench_file("cdnow", "summary.csv")
    assert outcome.type is pytest.skip.Exception
    assert str(missing) in str(outcome.value) and BENCHDATA_ENV in str(outcome.value)


def test_bench_file_fails_under_ci(bench: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI set a missing file fails the test, naming the path and the variable."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(BaseException) as outcome:  # a skip or a failure: both are outcome exceptions
        bench_file("renault-gimenez-phd")
    assert outcome.type is pytest.fail.Exception
    message = str(outcome.value)
    assert str(bench / "renault-gimenez-phd") in message and BENCHDATA_ENV in message and "CI" in message
