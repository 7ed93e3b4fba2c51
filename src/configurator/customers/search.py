"""Customer search: find a customer from whatever a caller says (a name, an email, a phone, a company, an id).

A sales rep on a call hears "Inês", "Ines Carvalo" (misspelt), ``ines@example.pt`` or "00351 912 345 678".
:func:`parse_query` reads one query text as every kind it can be, :class:`NameIndex` ranks names and companies,
and :func:`best_hits` merges and ranks the hits, best first, each with the identity that matched
(``email: ines@example.pt``) and a score 0-100. :func:`search_profiles` runs the whole search over profiles in
memory (the reference the SQL store's ``search_customers`` follows and is tested against).

How each kind matches (and scores):

- **customer id**: exact (100, case-sensitive, a merged id finds its person) or prefix.
- **email**: exact after normalisation (100; case-insensitive), or a prefix of a stored address.
- **phone**: any format ("+351 912 345 678", "912345678", "00351912345678") is normalised to E.164 with the
  tenant's default region (phonenumbers) and matched exactly (100); a partial number is a prefix of the
  stored E.164 numbers (read in the region, or international).
- **name and company**: accent-, case- and punctuation-folded tokens (:func:`fold`), word order free. Each
  query token scores its best token of the name: rapidfuzz's ``ratio`` (so "carvalo" finds "carvalho" at
  93), or a prefix bonus ("carv" finds "carvalho"); tokens under :data:`TOKEN_CUTOFF` count 0. The name's
  score is 90% the mean of those and 10% ``token_sort_ratio`` of the whole texts, so an exact name (100)
  comes before a longer name holding it. Hits under :data:`NAME_THRESHOLD` are dropped.
- A prefix scores 50 to 95 by how much of the stored value it covers; one hit per customer (its best).

Why it stays fast on a big base: identifiers are looked up by index in SQL (exact and prefix ranges on the
``identities`` and ``customers`` keys). Names cannot be: SQL cannot fold accents portably, and a ``LIKE``
scan of 100,000 names costs tens of milliseconds before any fuzzy work. :class:`NameIndex` instead holds the
tenant's folded names once as a vocabulary of distinct tokens and, per name, the ids of its tokens (numpy
arrays). A query scores each of its few tokens against the vocabulary alone (``rapidfuzz.process.cdist``, in
C), gathers the per-name best with ``numpy.maximum.reduceat``, and refines only the names that can still
reach the threshold: milliseconds instead of a full fuzzy scan. The store caches one index per tenant and
rebuilds it when the tenant's customer count changes or it is five minutes old; hits are re-scored on
the live rows, so an erased or merged customer is never returned and a renamed one never shows an old name.

Example:
    >>> from configurator.customers.identity import Profile
    >>> people = [Profile("c-1", name="Inês Carvalho", email="ines@example.pt", phone="+351912345678"),
    ...           Profile("c-2", name="Rui Costa", extra={"company": "Carvalho Lda"})]
    >>> [(h.customer_id, h.kind, h.value, h.score) for h in search_profiles(people, "ines carvalo")]
    [('c-1', 'name', 'Inês Carvalho', 96.6)]
    >>> [str(h) for h in search_profiles(people, "00351 912 345 678")]
    ['c-1 (phone: +351912345678, 100.0)']
    >>> [(h.customer_id, h.kind) for h in search_profiles(people, "CARVALHO")]
    [('c-2', 'company'), ('c-1', 'name')]
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import phonenumbers
from rapidfuzz import fuzz, process

from configurator.customers.identity import DEFAULT_REGION, Profile, normalise_email, normalise_phone
from configurator.errors import CustomerError

__all__ = [
    "DEFAULT_LIMIT",
    "KINDS",
    "MAX_LIMIT",
    "MAX_QUERY_LENGTH",
    "MAX_REFINED",
    "NAME_THRESHOLD",
    "PREFIX_LIMIT",
    "TOKEN_CUTOFF",
    "MatchKind",
    "NameIndex",
    "SearchHit",
    "SearchQuery",
    "best_hits",
    "check_limit",
    "fold",
    "identifier_hits",
    "name_score",
    "parse_query",
    "prefix_score",
    "search_profiles",
    "tokens",
]

DEFAULT_LIMIT = 10
"""Hits a search answers unless asked for another number."""
MAX_LIMIT = 50
"""Most hits one search answers."""
MAX_QUERY_LENGTH = 200
"""Most characters of a query."""
NAME_THRESHOLD = 50.0
"""Least score of a name or company hit."""
TOKEN_CUTOFF = 60.0
"""A query token scoring less than this against every token of a name counts 0 for that name."""
PREFIX_LIMIT = 50
"""Most identifiers one prefix look-up returns (the ranking keeps the best)."""
MAX_REFINED = 5000
"""Most names and companies one query scores in full (see :meth:`NameIndex.match`)."""

MatchKind = Literal["customer_id", "email", "phone", "name", "company"]
"""What matched: the customer's id, an email or phone identifier, their name or their company."""
KINDS: tuple[MatchKind, ...] = ("customer_id", "email", "phone", "name", "company")
"""The kinds, in the order that breaks a tie of scores."""

_TOKEN = re.compile(r"[^\W_]+")
_PHONE_TEXT = re.compile(r"[+\d\s().\-/]+")
_EXTRA_FOLDS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ð": "d", "þ": "th", "ı": "i"}
)
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def fold(text: str) -> str:
    """``text`` without case, accents or punctuation: its word tokens joined by single spaces.

    Example:
        >>> fold("  INÊS  Carvalho-Sørensen ")
        'ines carvalho sorensen'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA_FOLDS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_TOKEN.findall(plain))


def tokens(text: str) -> list[str]:
    """The folded word tokens of ``text`` (see :func:`fold`).

    Example:
        >>> tokens("Conceição, Ana")
        ['conceicao', 'ana']
    """
    return fold(text).split()


def prefix_score(prefix: str, value: str) -> float:
    """The score of a prefix hit: 50 to 95 by how much of ``value`` the prefix covers (100 when equal).

    Example:
        >>> prefix_score("ines", "ines@example.pt"), prefix_score("c-1", "c-1")
        (62.0, 100.0)
    """
    if prefix == value:
        return 100.0
    return round(50.0 + 45.0 * min(len(prefix), len(value)) / max(len(value), 1), 1)


def _token_similarity(query_token: str, token: str) -> float:
    score = float(fuzz.ratio(query_token, token))
    if len(query_token) >= 2 and token.startswith(query_token) and token != query_token:
        score = max(score, 80.0 + 20.0 * len(query_token) / len(token))
    return score if score >= TOKEN_CUTOFF else 0.0


def name_score(query_tokens: Sequence[str], name_tokens: Sequence[str]) -> float:
    """How well folded query tokens match folded name tokens, 0-100 (word order free).

    90% the mean over query tokens of their best token similarity (``ratio``, or a prefix bonus), 10% the
    ``token_sort_ratio`` of the whole texts.

    Example:
        >>> name_score(["carvalo", "ines"], ["ines", "carvalho"])
        96.6
        >>> name_score(["ines"], ["ines"]), name_score(["ines"], ["ines", "carvalho"])
        (100.0, 94.7)
    """
    if not query_tokens or not name_tokens:
        return 0.0
    mean = sum(max(_token_similarity(q, t) for t in name_tokens) for q in query_tokens) / len(query_tokens)
    whole = fuzz.token_sort_ratio(" ".join(query_tokens), " ".join(name_tokens))
    return round(0.9 * mean + 0.1 * whole, 1)


@dataclass(frozen=True)
class SearchHit:
    """One customer found: their id, a name to show, what matched (kind and value) and how well (0-100).

    Attributes:
        customer_id: the canonical id.
        display_name: the customer's name, else their company, else None.
        kind: what matched (:data:`MatchKind`).
        value: the matched identity as stored (the email, the E.164 phone, the name, the id).
        score: 0-100; 100 is an exact identifier or an exact name.
    """

    customer_id: str
    display_name: str | None
    kind: MatchKind
    value: str
    score: float

    def __str__(self) -> str:
        """``c-1 (email: ines@example.pt, 100.0)``."""
        return f"{self.customer_id} ({self.kind}: {self.value}, {self.score})"


@dataclass(frozen=True)
class SearchQuery:
    """A query read as every kind it can be (see :func:`parse_query`).

    Attributes:
        text: the query as typed, stripped and in Unicode NFC (matched as a customer id, exact and prefix).
        tokens: its folded word tokens, matched against names and companies (none for an email address).
        emails: normalised addresses it is exactly (none, or one).
        email_prefix: a lower-cased prefix of stored addresses, or None (a query with spaces).
        phones: E.164 numbers it is exactly.
        phone_prefixes: prefixes of stored E.164 numbers (a partial number), in the region or international.
    """

    text: str
    tokens: tuple[str, ...]
    emails: tuple[str, ...] = ()
    email_prefix: str | None = None
    phones: tuple[str, ...] = ()
    phone_prefixes: tuple[str, ...] = ()


def _phones(text: str, region: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Exact E.164 candidates and E.164 prefixes of a text that looks like a phone number."""
    if not _PHONE_TEXT.fullmatch(text):
        return (), ()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 3:
        return (), ()
    exact: list[str] = []
    for raw, reg in ((text, region), ("+" + digits, None)):
        try:
            exact.append(normalise_phone(raw, reg))
        except ValueError:
            continue
    if exact:
        return tuple(dict.fromkeys(exact)), ()
    prefixes: list[str] = []
    if text.startswith("+"):
        prefixes.append("+" + digits)
    elif digits.startswith("00"):
        prefixes.append("+" + digits[2:])
    else:
        if region:
            code = phonenumbers.country_code_for_region(region)
            if code:
                national = digits[1:] if digits.startswith("0") else digits
                prefixes.append(f"+{code}{national}")
        prefixes.append("+" + digits)
    return (), tuple(dict.fromkeys(p for p in prefixes if len(p) >= 4))


def check_limit(limit: int) -> int:
    """``limit`` when it is 1 to :data:`MAX_LIMIT`.

    Raises:
        CustomerError: for any other number.

    Example:
        >>> check_limit(10)
        10
        >>> check_limit(51)
        Traceback (most recent call last):
        ...
        configurator.errors.CustomerError: the search limit must be 1 to 50, got 51
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise CustomerError(f"the search limit must be 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def parse_query(raw: str, region: str | None = DEFAULT_REGION) -> SearchQuery:
    """Read a query as a customer id, an email, a phone number and name tokens, whichever it can be.

    Args:
        raw: what the caller said, 1 to :data:`MAX_QUERY_LENGTH` characters after stripping spaces.
        region: the default region of phone numbers written without a country code (None: international).

    Raises:
        CustomerError: an empty or too long query, or one holding a control or invisible character.

    Example:
        >>> q = parse_query("+351 912 345 678")
        >>> q.phones, q.email_prefix
        (('+351912345678',), None)
        >>> parse_query("Ines@Example.PT").emails, parse_query("91234").phone_prefixes
        (('ines@example.pt',), ('+35191234', '+91234'))
    """
    text = " ".join(unicodedata.normalize("NFC", raw).split())  # tabs and runs of spaces: one space
    if not text:
        raise CustomerError("the search query is empty")
    if len(text) > MAX_QUERY_LENGTH:
        raise CustomerError(f"the search query has {len(text)} characters (at most {MAX_QUERY_LENGTH})")
    for position, char in enumerate(text, 1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise CustomerError(
                f"the search query holds a control or invisible character U+{ord(char):04X} at position {position}"
            )
    emails: tuple[str, ...] = ()
    is_email = "@" in text
    if is_email:
        try:
            emails = (normalise_email(text),)
        except ValueError:
            emails = ()
    has_space = any(ch.isspace() for ch in text)
    email_prefix = None if has_space or len(text) < 2 else text.lower()
    phones, phone_prefixes = _phones(text, region)
    return SearchQuery(
        text=text,
        tokens=() if is_email else tuple(dict.fromkeys(tokens(text))),  # an address names no one
        emails=emails,
        email_prefix=email_prefix,
        phones=phones,
        phone_prefixes=phone_prefixes,
    )


_IntArray = npt.NDArray[np.int64]


class NameIndex:
    """The folded names and companies of many customers, ranked against a query in a few milliseconds.

    The distinct folded tokens form a vocabulary; each document (a customer's name, or company) is the ids of
    its tokens, laid end to end in one array. A query scores its tokens against the vocabulary only, then
    takes each document's best per query token with ``numpy.maximum.reduceat``.

    Args:
        entries: ``(customer id, name, company)`` of each customer (None where unknown).
        reuse: a previous index whose folded tokens of unchanged texts are reused (a cheaper rebuild).

    Example:
        >>> index = NameIndex([("c-1", "Inês Carvalho", None), ("c-2", "Rui Costa", "Carvalho Lda")])
        >>> index.match(("carvalo",), 5)
        [('c-2', 'company', 'Carvalho Lda', 91.4), ('c-1', 'name', 'Inês Carvalho', 91.0)]
        >>> len(index), index.size
        (2, 3)
    """

    _memo: dict[str, tuple[str, ...]]

    def __init__(self, entries: Iterable[tuple[str, str | None, str | None]], reuse: NameIndex | None = None):
        memo: dict[str, tuple[str, ...]] = dict(reuse._memo) if reuse is not None else {}
        vocabulary: dict[str, int] = {}
        owners: list[str] = []
        kinds: list[MatchKind] = []
        texts: list[str] = []
        flat: list[int] = []
        starts: list[int] = []
        for customer_id, name, company in entries:
            for kind, text in (("name", name), ("company", company)):
                if not text:
                    continue
                folded = memo.get(text)
                if folded is None:
                    folded = memo[text] = tuple(tokens(text))
                if not folded:
                    continue
                starts.append(len(flat))
                flat.extend(vocabulary.setdefault(t, len(vocabulary)) for t in folded)
                owners.append(customer_id)
                kinds.append(kind)  # type: ignore[arg-type]
                texts.append(text)
        self._memo = memo
        self._vocabulary = list(vocabulary)
        order = sorted(range(len(self._vocabulary)), key=self._vocabulary.__getitem__)
        self._sorted_tokens = [self._vocabulary[i] for i in order]
        self._sorted_columns = order
        self._owners = owners
        self._kinds = kinds
        self._texts = texts
        self._flat: _IntArray = np.asarray(flat, dtype=np.int64)
        self._starts: _IntArray = np.asarray(starts, dtype=np.int64)
        self._lengths: _IntArray = np.asarray([*starts[1:], len(flat)], dtype=np.int64) - self._starts
        self._joined = [" ".join(memo[text]) for text in texts]
        # The postings: for each vocabulary token, the documents holding it (grouped by token).
        flat_docs = np.repeat(np.arange(len(starts), dtype=np.int64), self._lengths)
        by_token = np.argsort(self._flat, kind="stable")
        self._postings: _IntArray = flat_docs[by_token]
        self._posting_starts: _IntArray = np.searchsorted(
            self._flat[by_token], np.arange(len(self._vocabulary) + 1, dtype=np.int64)
        ).astype(np.int64)
        self._customers = len(set(owners))

    def __len__(self) -> int:
        """The customers with a name or company in the index."""
        return self._customers

    @property
    def size(self) -> int:
        """The documents (names and companies) in the index."""
        return len(self._owners)

    def _vocabulary_scores(self, query_tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """``(query tokens, vocabulary)`` token similarities, 0 under :data:`TOKEN_CUTOFF`."""
        scores = process.cdist(
            list(query_tokens), self._vocabulary, scorer=fuzz.ratio, dtype=np.float32, workers=1
        )
        for row, q in enumerate(query_tokens):
            if len(q) < 2:
                continue
            at = bisect.bisect_left(self._sorted_tokens, q)
            while at < len(self._sorted_tokens) and self._sorted_tokens[at].startswith(q):
                token, column = self._sorted_tokens[at], self._sorted_columns[at]
                if token != q:
                    scores[row, column] = max(scores[row, column], 80.0 + 20.0 * len(q) / len(token))
                at += 1
        scores[scores < TOKEN_CUTOFF] = 0.0
        return np.asarray(scores, dtype=np.float32)

    def _mean_scores(self, query_tokens: Sequence[str]) -> tuple[_IntArray, npt.NDArray[np.float64]]:
        """The documents holding a token similar to a query token, and their mean best score per query token.

        Only the postings of the vocabulary tokens that score above 0 are read: a query touches the documents
        that can match it, never the whole index.
        """
        scores = self._vocabulary_scores(query_tokens)
        total = np.zeros(len(self._owners), dtype=np.float64)
        touched: list[_IntArray] = []
        for row in range(len(query_tokens)):
            columns = np.flatnonzero(scores[row])
            if columns.size == 0:
                continue
            lo, hi = self._posting_starts[columns], self._posting_starts[columns + 1]
            docs = np.concatenate(
                [self._postings[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
            )
            best = np.zeros(len(self._owners), dtype=np.float64)
            np.maximum.at(best, docs, np.repeat(scores[row, columns].astype(np.float64), hi - lo))
            total += best
            touched.append(docs)
        if not touched:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        docs = np.unique(np.concatenate(touched))
        return docs, total[docs] / len(query_tokens)

    def match(self, query_tokens: Sequence[str], limit: int) -> list[tuple[str, MatchKind, str, float]]:
        """The ``limit`` best customers, ``(customer id, kind, text, score)``, best first (one per customer).

        Scores are :func:`name_score` of each document, computed (in C) for the documents that can reach
        :data:`NAME_THRESHOLD`: at most :data:`MAX_REFINED` of them, the best by mean token score first and,
        among equals, the shortest.
        """
        if not query_tokens or not self._owners:
            return []
        touched, mean = self._mean_scores(query_tokens)
        # 0.9 * mean + 0.1 * (token_sort_ratio <= 100) must reach the threshold.
        keep = 0.9 * mean + 10.0 >= NAME_THRESHOLD
        candidates, mean = touched[keep], mean[keep]
        if candidates.size > MAX_REFINED:
            best = np.argsort(-(mean * 1000.0 - self._lengths[candidates]), kind="stable")[:MAX_REFINED]
            candidates, mean = candidates[best], mean[best]
        if candidates.size == 0:
            return []
        joined = [self._joined[doc] for doc in candidates.tolist()]
        whole = process.cdist(
            [" ".join(query_tokens)], joined, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1
        )[0]
        final = np.round(0.9 * mean + 0.1 * whole.astype(np.float64), 1)
        order = np.lexsort((candidates, -final))
        found: dict[str, tuple[str, MatchKind, str, float]] = {}
        for at in order.tolist():
            score = float(final[at])
            if score < NAME_THRESHOLD or len(found) >= limit:
                break
            doc = int(candidates[at])
            owner = self._owners[doc]
            if owner not in found:
                found[owner] = (owner, self._kinds[doc], self._texts[doc], score)
        return sorted(found.values(), key=_order)


def _order(hit: tuple[str, MatchKind, str, float]) -> tuple[float, int, str]:
    return (-hit[3], KINDS.index(hit[1]), hit[0])


def _better(a: tuple[str, MatchKind, str, float], b: tuple[str, MatchKind, str, float]) -> bool:
    return _order(a) < _order(b)


def best_hits(
    hits: Iterable[tuple[str, MatchKind, str, float]], display_names: Mapping[str, str | None], limit: int
) -> list[SearchHit]:
    """One hit per customer (their best), best first: score, then kind (:data:`KINDS`), then id.

    Customers missing from ``display_names`` (erased or merged since) are left out.

    Example:
        >>> best_hits([("c-2", "name", "Ana", 80.0), ("c-1", "email", "a@b.pt", 100.0), ("c-2", "phone", "+3519", 100.0)],
        ...           {"c-1": "Bea", "c-2": "Ana"}, 10)
        [SearchHit(customer_id='c-1', display_name='Bea', kind='email', value='a@b.pt', score=100.0), \
SearchHit(customer_id='c-2', display_name='Ana', kind='phone', value='+3519', score=100.0)]
    """
    found: dict[str, tuple[str, MatchKind, str, float]] = {}
    for hit in hits:
        if hit[0] not in display_names:
            continue
        current = found.get(hit[0])
        if current is None or _better(hit, current):
            found[hit[0]] = hit
    ranked = sorted(found.values(), key=_order)[:limit]
    return [SearchHit(c, display_names[c], kind, value, score) for c, kind, value, score in ranked]


def identifier_hits(
    query: SearchQuery, identifiers: Iterable[tuple[str, str, str]]
) -> list[tuple[str, MatchKind, str, float]]:
    """Hits of ``(kind, value, customer id)`` identifiers (``customer_id``, ``email``, ``phone``) on a query.

    Example:
        >>> identifier_hits(parse_query("ines@"), [("email", "ines@example.pt", "c-1"), ("phone", "+3519", "c-1")])
        [('c-1', 'email', 'ines@example.pt', 65.0)]
    """
    found: list[tuple[str, MatchKind, str, float]] = []
    for kind, value, customer_id in identifiers:
        if kind == "customer_id":
            if value.startswith(query.text):
                found.append((customer_id, "customer_id", value, prefix_score(query.text, value)))
        elif kind == "email":
            if value in query.emails:
                found.append((customer_id, "email", value, 100.0))
            elif query.email_prefix and value.startswith(query.email_prefix):
                found.append((customer_id, "email", value, prefix_score(query.email_prefix, value)))
        elif kind == "phone":
            if value in query.phones:
                found.append((customer_id, "phone", value, 100.0))
            else:
                prefix = next((p for p in query.phone_prefixes if value.startswith(p)), None)
                if prefix is not None:
                    found.append((customer_id, "phone", value, prefix_score(prefix, value)))
    return found


def search_profiles(
    profiles: Iterable[Profile],
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    region: str | None = DEFAULT_REGION,
    identifiers: Iterable[tuple[str, str, str]] = (),
) -> list[SearchHit]:
    """Search profiles held in memory: the reference of the SQL store's ``search_customers``.

    Args:
        profiles: the tenant's profiles; merged ones are found by their id only (as their person).
        query: what the caller said (see :func:`parse_query`).
        limit: most hits, 1 to :data:`MAX_LIMIT`.
        region: the default phone region.
        identifiers: more ``(kind, value, customer id)`` emails and phones (the profiles' own are included).

    Raises:
        CustomerError: a bad query or limit.
    """
    check_limit(limit)
    q = parse_query(query, region)
    everyone = list(profiles)
    canonical = [p for p in everyone if p.merged_into is None]
    names = {p.customer_id: p.name or p.extra.get("company") for p in canonical}
    rows: list[tuple[str, str, str]] = [("customer_id", p.customer_id, p.customer_id) for p in canonical]
    rows += [(kind, value, owner) for kind, value, owner in identifiers]
    for p in canonical:
        rows += [(k, v, p.customer_id) for k, v in (("email", p.email), ("phone", p.phone)) if v]
    hits = identifier_hits(q, rows)
    hits += [
        (p.merged_into, "customer_id", q.text, 100.0)
        for p in everyone
        if p.customer_id == q.text and p.merged_into is not None
    ]
    index = NameIndex((p.customer_id, p.name, p.extra.get("company")) for p in canonical)
    hits += index.match(q.tokens, limit)
    return best_hits(hits, names, limit)
