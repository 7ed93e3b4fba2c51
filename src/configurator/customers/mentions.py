"""Mentions of a person in free text: found and replaced by a marker when the person is erased.

An erased person may still be *mentioned* in records that are not theirs: another customer's referral note or
support ticket, a quote, an audit entry. :class:`Mentions` holds the person's identifiers and finds them in any
text:

- names and addresses case- and accent-insensitively, whatever the spacing or punctuation between their words
  (``Ana Sousa`` matches ``ANA  sousa`` and ``Ána-Sousa``);
- emails and customer ids case-insensitively (a customer id as a whole word only);
- phone numbers in any format: the digits are compared, so ``+351 912 345 678``, ``00351912345678``,
  ``(912) 345-678`` and ``912345678`` are all the same number.

Example:
    >>> m = Mentions(names=("Ana Sousa",), emails=("ana@example.com",), phones=("+351912345678",),
    ...              customer_ids=("c-7",))
    >>> m.scrub("Referred by ÁNA sousa (ana@EXAMPLE.com, tel. 912 345 678), account C-7, not c-77.")
    'Referred by [erased] ([erased], tel. [erased]), account [erased], not c-77.'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

__all__ = ["MARKER", "STRUCTURAL_KEYS", "Mentions"]

MARKER = "[erased]"
"""What replaces an erased person's identifier in text that stays."""

STRUCTURAL_KEYS = frozenset({"event_id", "type", "channel", "ts", "schema_version", "tenant"})
"""Keys of stored data that are never free text (left as they are)."""

_RUN = re.compile(r"[+(]?\d(?:[\s().\-/]{0,3}\d)*")
"""A run of digits with the separators people write phone numbers with."""


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` without accents, case-folded, and for each folded character the index it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(c):
                continue
            for f in c.casefold():
                out.append(f)
                where.append(i)
    return "".join(out), where


def _words_pattern(text: str) -> re.Pattern[str] | None:
    words = [w for w in re.split(r"\W+", _fold(text)[0]) if w]
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)")


@dataclass(frozen=True)
class _Phone:
    national: str
    prefixes: tuple[str, ...]


def _phone(e164: str) -> _Phone | None:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    code = str(number.country_code)
    return _Phone(national, ("00" + code, code, "0"))


@dataclass(frozen=True)
class Mentions:
    """A person's identifiers, to find and replace in free text.

    Attributes:
        names: full names (matched as a whole, accent- and case-insensitively).
        emails: email addresses.
        phones: phone numbers in E.164 form (matched in any format).
        addresses: postal addresses (as names).
        customer_ids: the person's customer ids (whole words).
    """

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    customer_ids: tuple[str, ...] = ()
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _phones: tuple[_Phone, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = [
            p for t in (*self.names, *self.addresses) if len(t.strip()) >= 3 if (p := _words_pattern(t))
        ]
        for text in self.emails:
            if text:
                patterns.append(re.compile(re.escape(_fold(text)[0])))
        for cid in self.customer_ids:
            if cid:
                patterns.append(re.compile(r"(?<![\w-])" + re.escape(_fold(cid)[0]) + r"(?![\w-])"))
        object.__setattr__(self, "_patterns", tuple(patterns))
        object.__setattr__(self, "_phones", tuple(ph for e in self.phones if (ph := _phone(e)) is not None))

    def identifiers(self) -> list[str]:
        """Every identifier, as given (what a scan for the person looks for)."""
        return [*self.names, *self.emails, *self.phones, *self.addresses, *self.customer_ids]

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        folded, where = _fold(text)
        for pattern in self._patterns:
            for m in pattern.finditer(folded):
                if m.end() > m.start():
                    yield where[m.start()], where[m.end() - 1] + 1
        for run in _RUN.finditer(text) if self._phones else ():
            positions = [i for i, ch in enumerate(run.group()) if ch.isdigit()]
            digits = "".join(ch for ch in run.group() if ch.isdigit())
            for phone in self._phones:
                start = digits.find(phone.national)
                while start >= 0:
                    end = start + len(phone.national)
                    first = start
                    for prefix in phone.prefixes:
                        if digits[:start].endswith(prefix):
                            first = start - len(prefix)
                            break
                    lead = run.start() + positions[first]
                    if first == 0 and run.group()[0] in "+(":
                        lead = run.start()
                    yield lead, run.start() + positions[end - 1] + 1
                    start = digits.find(phone.national, end)

    def found_in(self, text: str) -> bool:
        """Whether ``text`` mentions the person.

        Example:
            >>> Mentions(phones=("+351912345678",)).found_in("call 00351-912-345-678"), Mentions().found_in("x")
            (True, False)
        """
        return next(self._spans(text), None) is not None

    def scrub(self, text: str) -> str:
        """``text`` with every mention of the person replaced by :data:`MARKER`."""
        spans = sorted(self._spans(text))
        if not spans:
            return text
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts: list[str] = []
        last = 0
        for start, end in merged:
            parts += [text[last:start], MARKER]
            last = end
        return "".join([*parts, text[last:]])

    def scrub_data(self, data: Any, keep: Collection[str] = STRUCTURAL_KEYS) -> Any:
        """JSON data with every string scrubbed (:meth:`scrub`), except the values of keys in ``keep``.

        Example:
            >>> Mentions(names=("Rui Lopes",)).scrub_data({"type": "x", "notes": ["via rui lopes"], "n": 2})
            {'type': 'x', 'notes': ['via [erased]'], 'n': 2}
        """
        if isinstance(data, str):
            return self.scrub(data)
        if isinstance(data, dict):
            return {k: v if k in keep else self.scrub_data(v, keep) for k, v in data.items()}
        if isinstance(data, list):
            return [self.scrub_data(v, keep) for v in data]
        return data

    def paths_in(self, data: Any, keep: Collection[str] = STRUCTURAL_KEYS, at: str = "") -> list[str]:
        """Where in JSON data the person is mentioned (dotted paths; ``[i]`` for list items).

        Example:
            >>> Mentions(emails=("a@b.example",)).paths_in({"notes": "a@b.example", "x": ["A@B.example"]})
            ['notes', 'x[0]']
        """
        if isinstance(data, str):
            return [at or "."] if self.found_in(data) else []
        found: list[str] = []
        items: Iterable[tuple[str, Any]]
        if isinstance(data, dict):
            items = ((f"{at}.{k}" if at else str(k), v) for k, v in data.items() if k not in keep)
        elif isinstance(data, list):
            items = ((f"{at}[{i}]", v) for i, v in enumerate(data))
        else:
            return []
        for path, value in items:
            found += self.paths_in(value, keep, path)
        return found

    def is_empty(self) -> bool:
        """Whether there is nothing to look for."""
        return not (self._patterns or self._phones)
