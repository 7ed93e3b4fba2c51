"""Customer search rules: folding, query reading, name scoring, ranking (in memory, the SQL store's reference)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.customers.identity import Profile
from configurator.customers.search import (
    MAX_LIMIT,
    NameIndex,
    fold,
    name_score,
    parse_query,
    search_profiles,
)
from configurator.errors import CustomerError

INES = Profile("c-1", name="Inês Carvalho", email="ines@example.pt", phone="+351912345678")
PEOPLE = [
    INES,
    Profile("c-2", name="Inês Costa", email="ines.costa@example.pt"),
    Profile("c-3", name="Rui Carvalheira", extra={"company": "Carvalho & Filhos Lda"}),
    Profile("c-4", name="Ana Sousa", phone="+46701234567"),
    Profile("c-10", name="João Ferreira"),
    Profile("old-1", name="Inês Carvalho", merged_into="c-1"),
]


def _ids(query: str, **kwargs: object) -> list[str]:
    return [h.customer_id for h in search_profiles(PEOPLE, query, **kwargs)]  # type: ignore[arg-type]


def test_fold_removes_case_accents_punctuation_and_extra_spaces() -> None:
    """Folding makes "  INÊS   Carvalho-Sørensen " and "ines carvalho sorensen" the same text."""
    assert fold("  INÊS   Carvalho-Sørensen ") == "ines carvalho sorensen" == fold("ines carvalho sorensen")


@pytest.mark.parametrize("query", ["Inês", "Ines", "INES", "inês  "])
def test_a_first_name_finds_its_customers_whatever_the_accents_and_case(query: str) -> None:
    """Queries "Inês", "Ines", "INES" find both Inêses by name, and no one else first."""
    hits = search_profiles(PEOPLE, query)
    assert {h.customer_id for h in hits[:2]} == {"c-1", "c-2"}
    assert hits[0].kind == "name" and hits[0].value.startswith("Inês")


def test_a_misspelt_surname_still_finds_her_first() -> None:
    """The misspelt "Ines Carvalo" finds Inês Carvalho first, by name, and word order is free."""
    for query in ("Ines Carvalo", "carvalo ines", "Carvalho, Inês"):
        first = search_profiles(PEOPLE, query)[0]
        assert (first.customer_id, first.kind, first.value) == ("c-1", "name", "Inês Carvalho")
        assert first.score > 90


def test_email_matches_exactly_without_case_and_by_prefix() -> None:
    """Her email in any case is an exact hit (100); a prefix finds the addresses it starts."""
    first = search_profiles(PEOPLE, "INES@Example.PT")[0]
    assert (first.customer_id, first.kind, first.value, first.score) == (
        "c-1",
        "email",
        "ines@example.pt",
        100.0,
    )
    prefix = search_profiles(PEOPLE, "ines.costa@ex")
    assert [(h.customer_id, h.kind) for h in prefix] == [("c-2", "email")] and prefix[0].score < 100


@pytest.mark.parametrize(
    "phone", ["+351 912 345 678", "912345678", "00351912345678", "912-345-678", "(+351) 912 345 678"]
)
def test_phone_in_any_format_matches_the_stored_number(phone: str) -> None:
    """Every way of writing her phone is an exact phone hit on +351912345678."""
    first = search_profiles(PEOPLE, phone)[0]
    assert (first.customer_id, first.kind, first.value, first.score) == (
        "c-1",
        "phone",
        "+351912345678",
        100.0,
    )


def test_phone_region_and_partial_numbers() -> None:
    """A national number is read in the region given; a partial number is a prefix of stored numbers."""
    assert _ids("070 123 45 67", region="SE") == ["c-4"]
    assert search_profiles(PEOPLE, "070 123 45 67", region="PT") == []
    partial = search_profiles(PEOPLE, "912 345")
    assert partial[0].customer_id == "c-1" and partial[0].kind == "phone" and 50 < partial[0].score < 100


def test_company_and_customer_id_exact_and_prefix() -> None:
    """A company is found by its words; an id exactly (100) or by prefix; a merged id finds its person."""
    company = search_profiles(PEOPLE, "carvalho filhos")[0]
    assert (company.customer_id, company.kind, company.display_name) == ("c-3", "company", "Rui Carvalheira")
    assert search_profiles(PEOPLE, "c-10")[0].score == 100.0
    assert _ids("c-1")[:2] == ["c-1", "c-10"]
    merged = search_profiles(PEOPLE, "old-1")
    assert [(h.customer_id, h.kind, h.value) for h in merged] == [("c-1", "customer_id", "old-1")]
    assert "old-1" not in _ids("Inês Carvalho")  # a merged profile is found only as its person


def test_limit_and_one_hit_per_customer() -> None:
    """At most ``limit`` hits, one per customer (the best of its identities)."""
    assert len(search_profiles(PEOPLE, "ines", limit=1)) == 1
    ids = _ids("ines")
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("query", "limit", "message"),
    [
        ("   ", 10, "empty"),
        ("x" * 201, 10, "at most 200"),
        ("ines\x00", 10, "U\\+0000"),
        ("ines", 0, "1 to 50"),
        ("ines", MAX_LIMIT + 1, "1 to 50"),
    ],
)
def test_bad_query_or_limit_is_a_customer_error(query: str, limit: int, message: str) -> None:
    """An empty, too long or control-character query, or a limit outside 1-50, is refused with a reason."""
    with pytest.raises(CustomerError, match=message):
        search_profiles(PEOPLE, query, limit=limit)


def test_parse_query_reads_every_kind() -> None:
    """A query is read as email, phone and name tokens at once, where it can be."""
    q = parse_query("00351 912 345 678")
    assert q.phones == ("+351912345678",) and q.tokens == ("00351", "912", "345", "678")
    assert parse_query("Ana Sousa").email_prefix is None and parse_query("Ana Sousa").phones == ()


def test_name_index_agrees_with_name_score() -> None:
    """The vectorised index scores each name as :func:`name_score` does."""
    index = NameIndex((p.customer_id, p.name, p.extra.get("company")) for p in PEOPLE if not p.merged_into)
    for query in (("ines", "carvalo"), ("carvalh",), ("joao",)):
        for customer_id, _, text, score in index.match(query, 10):
            assert score == pytest.approx(name_score(query, fold(text).split()), abs=0.15), customer_id


NAMES = [
    "Inês Carvalho",
    "Inês Carvalho Silva",
    "João Gonçalves",
    "Maria da Conceição Araújo",
    "Björn Åberg",
    "Zoë Núñez",
    "Ana Sousa",
    "Ana Sofia Sousa",
    "Günther Öberg",
]


@st.composite
def _variant(draw: st.DrawFn, name: str) -> str:
    """``name`` with each letter's case and accent changed at will and its spaces widened."""
    words = []
    for word in name.split():
        chars = []
        for ch in word:
            if draw(st.booleans()):
                ch = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            chars.append(ch.upper() if draw(st.booleans()) else ch.lower())
        words.append("".join(chars))
    gaps = draw(
        st.lists(st.sampled_from([" ", "  ", " \t "]), min_size=len(words) - 1, max_size=len(words) - 1)
    )
    text = words[0] + "".join(g + w for g, w in zip(gaps, words[1:], strict=True))
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", "  "]))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), which=st.integers(0, len(NAMES) - 1))
def test_any_accent_case_or_spacing_variant_of_a_name_finds_that_customer_first(
    data: st.DataObject, which: int
) -> None:
    """Changing case, dropping accents or widening spaces of a stored name still finds that customer first."""
    people = [Profile(f"p{i}", name=name) for i, name in enumerate(NAMES)]
    query = data.draw(_variant(NAMES[which]))
    hits = search_profiles(people, query)
    assert hits[0].customer_id == f"p{which}" and hits[0].score == 100.0, (query, hits[:2])
