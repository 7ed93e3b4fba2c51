"""The API's background warm-up of reasons: once per catalog version, off the request path, never failing one."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from configurator.api import make_app
from configurator.api.warmup import ReasonWarmer
from configurator.catalog.models import Catalog
from configurator.settings import Settings
from configurator.solver.session import ConfigurationSession
from support import api_key, api_settings, auth


def _bike(version: str = "1") -> Catalog:
    """A small catalog whose frame choice rules out a motor."""
    return Catalog.model_validate(
        {
            "catalog": "bike",
            "version": version,
            "currency": "EUR",
            "locales": ["en"],
            "modules": {
                "frame": {"options": {"alu": {}, "carbon": {}}},
                "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}},
            },
            "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
        }
    )


def test_a_catalog_version_is_warmed_once_per_process() -> None:
    """The first session of a catalog version starts its warm-up; later ones, and the same version again, do not."""
    seen: list[tuple[str, str]] = []

    def warm(session: ConfigurationSession, rest: object) -> int:
        seen.append((session.catalog.catalog, session.catalog.version))
        return 1

    warmer = ReasonWarmer(warm=warm)
    first = [warmer.served(ConfigurationSession(_bike())) for _ in range(3)]
    newer = warmer.served(ConfigurationSession(_bike("2")))
    warmer.join()
    assert (first, newer) == ([True, False, False], True)
    assert sorted(seen) == [("bike", "1"), ("bike", "2")]
    assert warmer.warmed == {("bike", "1"): 1, ("bike", "2"): 1}


def test_the_warm_up_works_on_a_fresh_session_of_the_same_date_and_backend() -> None:
    """The warm-up never touches the served session: it gets a fresh one with the same catalog, date and backend."""
    import datetime as dt

    got: list[ConfigurationSession] = []

    def warm(session: ConfigurationSession, rest: object) -> int:
        got.append(session)
        return 0

    warmer = ReasonWarmer(warm=warm)
    served = ConfigurationSession(_bike(), on=dt.date(2026, 5, 1))
    served.select("frame", "carbon")
    warmer.served(served)
    warmer.join()
    (fresh,) = got
    assert fresh is not served and not fresh.choices
    assert (fresh.catalog, fresh.on, fresh.backend) == (served.catalog, served.on, served.backend)


def test_a_disabled_warmer_starts_nothing() -> None:
    """With the setting off no warm-up runs."""
    warmer = ReasonWarmer(enabled=False, warm=lambda s, rest: pytest.fail("warmed while disabled"))
    assert warmer.served(ConfigurationSession(_bike())) is False
    warmer.join()
    assert warmer.warmed == {}


def test_a_failing_warm_up_is_logged_and_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    """A warm-up that raises is logged as a warning, marked -1 and not started again for that version."""

    def broken(session: ConfigurationSession, rest: object) -> int:
        raise RuntimeError("out of memory")

    warmer = ReasonWarmer(warm=broken)
    with caplog.at_level(logging.WARNING, logger="configurator.api.warmup"):
        assert warmer.served(ConfigurationSession(_bike())) is True
        warmer.join()
    assert warmer.warmed == {("bike", "1"): -1}
    assert "warming the reasons of catalog bike version 1 failed" in caplog.text
    assert warmer.served(ConfigurationSession(_bike())) is False


def test_a_thread_that_cannot_start_never_fails_the_caller(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When no thread can start, served answers False and logs it instead of raising."""

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    warmer = ReasonWarmer(warm=lambda s, rest: 1)
    with caplog.at_level(logging.WARNING, logger="configurator.api.warmup"):
        assert warmer.served(ConfigurationSession(_bike())) is False
    assert "reasons of catalog bike version 1 not warmed" in caplog.text


def test_the_warm_up_works_out_the_reasons_of_each_single_choice() -> None:
    """The real warm-up explains what every single choice of a one-option module removes."""
    warmer = ReasonWarmer()
    warmer.served(ConfigurationSession(_bike()))
    warmer.join()
    # alu removes carbon; carbon removes alu and hub; hub removes mid and carbon; mid removes hub
    assert warmer.warmed[("bike", "1")] == 6


def test_the_setting_reads_configurator_warm_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    """CONFIGURATOR_WARM_REASONS turns the warm-up on; it is off by default."""
    monkeypatch.delenv("CONFIGURATOR_WARM_REASONS", raising=False)
    assert Settings().warm_reasons is False
    monkeypatch.setenv("CONFIGURATOR_WARM_REASONS", "true")
    assert Settings().warm_reasons is True


def _client(warm: bool, release: threading.Event, started: list[str]) -> TestClient:
    """A client of an app serving the bike catalog whose warm-up waits for ``release``."""
    app = make_app(api_settings("sqlite://", warm_reasons=warm), catalogs=[_bike()])

    def slow(session: ConfigurationSession, rest: object) -> int:
        started.append(session.catalog.catalog)
        release.wait(30)
        return 0

    app.state.service.sessions.warmer._warm = slow
    return TestClient(app, headers=auth(api_key(app, "shop")))


def test_opening_a_session_starts_the_warm_up_without_waiting_for_it() -> None:
    """POST /sessions answers while the warm-up still runs, and the clicks answer meanwhile too."""
    release, started = threading.Event(), list[str]()
    client = _client(True, release, started)
    try:
        opened = client.post("/sessions", json={"catalog": "bike"})
        assert opened.status_code == 201
        sid = opened.json()["session_id"]
        click = {"action": "select", "module": "frame", "option": "carbon"}
        assert client.post(f"/sessions/{sid}/choices", json=click).status_code == 200
        state = client.get(f"/sessions/{sid}", params={"explain": 1}).json()
        assert state["removed"]["motor.hub"]["constraints"]
        assert client.post("/sessions", json={"catalog": "bike"}).status_code == 201
        assert started == ["bike"]  # still running: the first session started it, the second did not
    finally:
        release.set()
        client.app.state.service.sessions.warmer.join()  # type: ignore[attr-defined]


def test_with_the_setting_off_opening_a_session_warms_nothing() -> None:
    """With warm_reasons off, opening a session starts no warm-up."""
    release, started = threading.Event(), list[str]()
    release.set()
    client = _client(False, release, started)
    assert client.post("/sessions", json={"catalog": "bike"}).status_code == 201
    client.app.state.service.sessions.warmer.join()  # type: ignore[attr-defined]
    assert started == []


def test_the_warm_up_rests_as_long_as_it_worked_at_most_max_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """At share 0.5 each pause rests as long as the step before it took, capped at MAX_REST (nothing else busy)."""
    from configurator.api import warmup

    clock = [0.0]
    rests: list[float] = []
    monkeypatch.setattr("configurator.api.warmup.perf_counter", lambda: clock[0])
    monkeypatch.setattr("configurator.api.warmup.sleep", lambda s: rests.append(s) if s else None)

    def warm(session: ConfigurationSession, rest: Callable[[], None]) -> int:
        for step in (0.2, 5.0):
            clock[0] += step
            rest()
        return 0

    warmer = ReasonWarmer(warm=warm, share=0.5)
    warmer._run(("bike", "1"), ConfigurationSession(_bike()))
    assert rests == [pytest.approx(0.2), warmup.MAX_REST]


def test_the_warm_up_waits_while_requests_want_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    """After its rest the warm-up waits in short steps while another thread is busy, at most MAX_REST."""
    from configurator.api import warmup

    rests: list[float] = []
    monkeypatch.setattr("configurator.api.warmup.sleep", lambda s: rests.append(s) if s else None)
    monkeypatch.setattr("configurator.api.warmup._busy", lambda: True)
    warmup._Rest(1.0)()
    assert sum(rests) == pytest.approx(warmup.MAX_REST)
    assert set(rests) == {warmup.BUSY_REST}
