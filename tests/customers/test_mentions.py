"""Mentions of a person in free text: names without accents or case, emails, ids, phones in any format."""

from __future__ import annotations

import pytest

from configurator.customers.mentions import MARKER, Mentions

ANA = Mentions(
    names=("Ana Sofia Ribeiro",),
    emails=("ana.ribeiro@example.pt",),
    phones=("+351912345678",),
    addresses=("Rua das Flores 12, Lisboa",),
    customer_ids=("c-1001",),
)


@pytest.mark.parametrize(
    "text",
    [
        "ANA SOFIA RIBEIRO",
        "ána  sofia-ribeiro",
        "Ana.Ribeiro@Example.PT",
        "+351 912 345 678",
        "00351 912345678",
        "(912) 345-678",
        "912.345.678",
        "rua das flores 12 lisboa",
        "C-1001",
    ],
)
def test_every_spelling_of_an_identifier_is_found(text: str) -> None:
    """Case, accents, spacing and phone formats do not hide a mention."""
    assert ANA.found_in(f"note: {text}.")
    assert ANA.scrub(f"note: {text}.") == f"note: {MARKER}."


def test_other_text_is_left_alone() -> None:
    """Other people, longer ids and other numbers are not touched."""
    text = "Ana Sofia (another one), c-10011, 912 345 679, ribeiro@example.pt"
    assert not ANA.found_in(text) and ANA.scrub(text) == text


def test_a_phone_next_to_other_numbers_is_still_found() -> None:
    """A phone written right after other digits is replaced, the other digits kept."""
    assert ANA.scrub("ticket 2026 call 912 345 678 today") == f"ticket 2026 call {MARKER} today"


def test_json_data_is_scrubbed_except_structural_keys() -> None:
    """Every string of an event payload is scrubbed, ids and types are not; where they were is listed."""
    payload = {
        "event_id": "c-1001-note",
        "type": "support_ticket",
        "topic": "Call from Ana Sofia Ribeiro",
        "traits": {"notes": ["ana.ribeiro@example.pt"]},
    }
    assert ANA.paths_in(payload) == ["topic", "traits.notes[0]"]
    clean = ANA.scrub_data(payload)
    assert clean["event_id"] == "c-1001-note" and clean["topic"] == f"Call from {MARKER}"
    assert clean["traits"] == {"notes": [MARKER]}
    assert Mentions().is_empty() and not ANA.is_empty()
