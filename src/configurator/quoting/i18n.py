"""Quote language: locale fallback chains, gettext messages, Babel formatting and catalog texts.

Every fixed string of a quote is a gettext message of the ``configurator`` domain, kept as ``.po`` files for
en, pt, es and sv under ``configurator/quoting/locale/<lang>/LC_MESSAGES/`` beside their compiled ``.mo`` files (both
are committed and packaged; run ``python -m configurator.quoting.i18n`` after editing a ``.po`` file, and
``tests/quoting/test_render.py`` checks that every ``.mo`` matches its ``.po`` and that every message is
translated). Most message ids are the English text; the terms of a quote are symbolic ids such as
``terms.payment``, translated in every language including English.

A :class:`Translator` looks everything up along the quote's fallback chain (``pt_PT`` -> ``pt`` -> the
catalog's default locale -> ``en``) and records each text it could not find in the wanted language as a
:class:`Fallback`: nothing is lost silently.

Example:
    >>> t = Translator("pt_PT", default_locale="en")
    >>> t.chain
    ('pt_PT', 'pt', 'en')
    >>> t.gettext("Valid until")
    'Válido até'
    >>> t.money("1234.50", "EUR") == "1\\xa0234,50\\xa0€"
    True
    >>> Translator("pt").money("1234.50", "EUR") == t.money("1234.50", "EUR")  # bare pt is written as in Portugal
    True
    >>> t.text({"en": "Frame"}, "modules.frame.label", "frame")
    'Frame'
    >>> [str(f) for f in t.fallbacks]
    ["modules.frame.label: no 'pt_PT' text, used 'en'"]
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global, negotiate_locale
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_currency_symbol,
)

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "Fallback",
    "Translator",
    "compile_catalogs",
    "format_phone",
    "locale_chain",
    "messages",
    "plain_locale",
    "supported_locale",
]

DOMAIN = "configurator"
"""The gettext domain of every quote message."""

LANGUAGES = ("en", "pt", "es", "sv")
"""The languages with a complete message catalog."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
"""``configurator/quoting/locale``: ``<lang>/LC_MESSAGES/configurator.po`` and ``.mo``."""

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

_PLAIN_TAG = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8}){0,3}")
"""A plain language tag: a language and up to three subtags (``pt``, ``pt_PT``, ``zh-Hant-TW``), 35 at most."""


def plain_locale(locale: str | None) -> str | None:
    """``locale`` with ``_`` between its parts when it is a plain language tag, else None (never a path).

    Only such a tag ever reaches the message catalogs or Babel's locale data, both read from files.

    Example:
        >>> plain_locale("pt-PT"), plain_locale("sv"), plain_locale("../../tmp/x"), plain_locale("x" * 99)
        ('pt_PT', 'sv', None, None)
    """
    if not locale or len(locale) > 35 or not _PLAIN_TAG.fullmatch(locale):
        return None
    return locale.replace("-", "_")


@functools.lru_cache(maxsize=1024)
def supported_locale(locale: str) -> str | None:
    """The canonical form of a locale Babel negotiates onto one of :data:`LANGUAGES`, else None.

    Example:
        >>> supported_locale("pt-br"), supported_locale("sv_SE"), supported_locale("en")
        ('pt_BR', 'sv_SE', 'en')
        >>> supported_locale("de"), supported_locale("pt_XX"), supported_locale("/tmp/evil")
        (None, None, None)
    """
    plain = plain_locale(locale)
    if plain is None:
        return None
    try:
        canonical = str(Locale.parse(plain))
    except (UnknownLocaleError, ValueError):
        return None
    if negotiate_locale([canonical], LANGUAGES, sep="_", aliases={}) is None:
        return None
    return canonical


@dataclasses.dataclass(frozen=True)
class Fallback:
    """A text that was not found in the wanted language.

    Attributes:
        key: what was looked up (``modules.frame.options.alu_m.label``, ``message 'Total'``, ``terms.x``).
        wanted: the locale asked for.
        used: the locale whose text was used instead, or ``""`` when the id itself was shown.
    """

    key: str
    wanted: str
    used: str

    def __str__(self) -> str:
        shown = f"used {self.used!r}" if self.used else "showed the id"
        return f"{self.key}: no {self.wanted!r} text, {shown}"


def locale_chain(locale: str, default_locale: str | None = None) -> tuple[str, ...]:
    """The locales to try, in order: the locale, its language, the default locale (and language), ``en``.

    A locale that is not a plain language tag (see :func:`plain_locale`) is left out of the chain.

    Example:
        >>> locale_chain("pt_PT", "es")
        ('pt_PT', 'pt', 'es', 'en')
        >>> locale_chain("en_US")
        ('en_US', 'en')
        >>> locale_chain("../../tmp/x", "sv")
        ('sv', 'en')
    """
    chain: list[str] = []
    for given in (locale, default_locale, "en"):
        loc = plain_locale(given)
        if not loc:
            continue
        for candidate in (loc, loc.split("_")[0]):
            if candidate not in chain:
                chain.append(candidate)
    return tuple(chain)


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def messages(language: str) -> Mapping[str, str]:
    """The translated messages of a language (empty when there is no catalog for it), read from its ``.mo``.

    Only the languages of :data:`LANGUAGES` are read; any other name, a path included, has none.

    Example:
        >>> messages("sv")["Total"]
        'Totalt'
        >>> messages("xx"), messages("../../../tmp/x")
        ({}, {})
    """
    if language not in LANGUAGES:
        return {}
    path = _po_path(language).with_suffix(".mo")
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        catalog = read_mo(fh)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str)
    }


def compile_catalogs(languages: Sequence[str] = LANGUAGES) -> list[Path]:
    """Compile each language's ``.po`` file to its ``.mo`` file (deterministically) and return the paths.

    Fuzzy and empty translations are left out of the ``.mo`` (gettext falls back to the next locale).
    """
    written = []
    for language in languages:
        po = _po_path(language)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=language, domain=DOMAIN)
        catalog.revision_date = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        catalog.creation_date = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        messages.cache_clear()
        written.append(mo)
    return written


_BARE_LANGUAGE_FORMATS = {"pt": "pt_PT"}
"""Languages whose bare tag formats like one country: the shop writes Portuguese as in Portugal (pt-PT money
``1234,50 €``, not Brazil's ``€ 1.234,50``), whether the locale says ``pt`` or ``pt_PT``."""


@functools.cache
def _babel_locale(chain: tuple[str, ...]) -> Locale:
    for candidate in chain:
        try:
            return Locale.parse(_BARE_LANGUAGE_FORMATS.get(candidate, candidate))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


@functools.lru_cache(maxsize=256)
def _currency_pattern(locale: Locale, currency: str) -> tuple[NumberPattern, str] | None:
    pattern = locale.currency_formats["standard"]
    if "¤¤" in pattern.pattern:
        return None
    # The pattern with the currency's digits, applied by Babel exactly as format_currency applies it, minus
    # the currency's display name (which format_currency looks up, through plural rules, on every call).
    pattern = copy.copy(pattern)
    digits = get_currency_precision(currency)
    pattern.frac_prec = (digits, digits)
    return pattern, str(get_currency_symbol(currency, locale))


@functools.lru_cache(maxsize=8192)
def _money(locale: Locale, currency: str, amount: Decimal) -> str:
    found = _currency_pattern(locale, currency)
    if found is None:
        return str(format_currency(amount, currency, locale=locale))
    pattern, symbol = found
    return str(pattern.apply(amount, locale, currency_digits=False)).replace("¤", symbol)


@functools.lru_cache(maxsize=4096)
def format_phone(number: str, region: str | None) -> str:
    """A phone number in the international format (``+351 913 456 789``), read as dialled in ``region``.

    A number that cannot be a phone number is returned as given (stripped).

    Example:
        >>> format_phone("+46731112233", "PT"), format_phone("913456789", "PT"), format_phone("ext. 12", "PT")
        ('+46 73 111 22 33', '+351 913 456 789', 'ext. 12')
    """
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number.strip()
    if not phonenumbers.is_possible_number(parsed):
        return number.strip()
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


@functools.cache
def _region(locale: str) -> str | None:
    """The country of a locale (``pt_PT`` -> ``PT``; a bare language its likeliest one: ``sv`` -> ``SE``)."""
    plain = plain_locale(locale)
    if plain is None:
        return None
    try:
        parsed = Locale.parse(plain)
    except (UnknownLocaleError, ValueError):
        return None
    if parsed.territory:
        return str(parsed.territory)
    likely = str(get_global("likely_subtags").get(parsed.language, ""))
    return next((p for p in likely.split("_")[1:] if len(p) == 2 and p.isupper()), None)


# Numbers, rates and dates repeat from quote to quote (quantities, tax rates, today): each is formatted by Babel
# once per locale and process. Numbers are keyed by their text: Decimal("3.50") == Decimal("3.5"), but a rate
# keeps its decimals.
@functools.lru_cache(maxsize=4096)
def _number(locale: Locale, value: str) -> str:
    return str(format_decimal(Decimal(value), locale=locale))


@functools.lru_cache(maxsize=1024)
def _percent(locale: Locale, rate: str) -> str:
    return str(format_percent(Decimal(rate) / 100, locale=locale, decimal_quantization=False))


@functools.lru_cache(maxsize=1024)
def _date(locale: Locale, value: dt.date) -> str:
    return str(format_date(value, "long", locale=locale))


_MEMO_SIZE = 8192


@functools.cache
@functools.lru_cache(maxsize=1024)
def _month(locale: Locale, value: dt.date) -> str:
    return str(format_skeleton("yMMMM", value, locale=locale))


def _money_memo(locale: Locale) -> dict[tuple[Decimal | str | int, str], str]:
    """Amounts already written in a locale, by amount and currency.

    A plain dict (no hashing of the Locale per amount), cleared when it outgrows :data:`_MEMO_SIZE`.
    """
    return {}


class Translator:
    """Texts, messages and numbers in one locale, with a fallback chain and a record of every fallback.

    Args:
        locale: the wanted locale (``pt_PT``, ``sv``...).
        default_locale: the catalog's default locale, tried before ``en``. A locale that is not a plain
            language tag (see :func:`plain_locale`) is ignored: every text then comes from the next locale
            of the chain and is recorded as a fallback.

    Attributes:
        locale: the wanted locale.
        chain: the locales tried, in order (see :func:`locale_chain`).
        babel: the Babel locale that formats money, dates and numbers (the first of the chain Babel knows).
        fallbacks: every text not found in the wanted language, in the order met (each key once).
    """

    def __init__(self, locale: str, default_locale: str | None = None) -> None:
        self.locale = locale
        self.chain = locale_chain(locale, default_locale)
        self.babel = _babel_locale(self.chain)
        self._money = _money_memo(self.babel)
        self.fallbacks: list[Fallback] = []
        self._seen: set[str] = set()
        # A text in the wanted locale or in its bare language is not a fallback.
        plain = plain_locale(locale)
        self._own = set(self.chain[:2]) if plain and "_" in plain else {plain or locale}
        self._catalogs = [
            (lang, messages(lang)) for lang in dict.fromkeys(c.split("_")[0] for c in self.chain)
        ]

    def _fell_back(self, key: str, used: str) -> None:
        if key not in self._seen:
            self._seen.add(key)
            self.fallbacks.append(Fallback(key, self.locale, used))

    def gettext(self, msgid: str, /, **values: str) -> str:
        """The message in the first language of the chain that translates it, ``%(name)s`` filled in.

        Values replace their placeholders as plain text (never ``str.format``, which could reach attributes).

        Example:
            >>> Translator("es_ES").gettext("Quantity × %(qty)s", qty="3")
            'Cantidad × 3'
        """
        text = None
        for language, table in self._catalogs:
            if msgid in table:
                text = table[msgid]
                if language not in self._own:
                    self._fell_back(f"message {msgid!r}", language)
                break
        if text is None:
            self._fell_back(f"message {msgid!r}", "")
            text = msgid
        if values:
            text = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
        return text

    def text(self, value: Mapping[str, str] | None, key: str, fallback: str) -> str:
        """A catalog text (``{"en": ..., "pt": ...}``) along the chain; ``fallback`` (an id) when there is none.

        Example:
            >>> t = Translator("sv_SE")
            >>> t.text({"en": "Frame", "sv": "Ram"}, "modules.frame.label", "frame"), t.fallbacks
            ('Ram', [])
        """
        if value:
            for candidate in self.chain:
                if candidate in value:
                    if candidate not in self._own:
                        self._fell_back(key, candidate)
                    return value[candidate]
            first = next(iter(value))
            self._fell_back(key, first)
            return value[first]
        self._fell_back(key, "")
        return fallback

    def money(self, amount: Decimal | str | int, currency: str) -> str:
        """``amount`` in ``currency`` as the locale writes it (Babel's ``format_currency``, only faster).

        Example:
            >>> Translator("en_US").money(Decimal("-25.2"), "EUR"), Translator("sv_SE").money(1500, "JPY")
            ('-€25.20', '1\xa0500\xa0JPY')
        """
        memo = self._money
        found = memo.get((amount, currency))
        if found is None:
            if len(memo) > _MEMO_SIZE:
                memo.clear()
            found = memo[amount, currency] = _money(self.babel, currency, Decimal(amount))
        return found

    def number(self, value: Decimal | int) -> str:
        """A number as the locale writes it (Babel).

        Example:
            >>> Translator("en_US").number(1234), Translator("es_ES").number(Decimal("1234.5"))
            ('1,234', '1.234,5')
        """
        return _number(self.babel, str(value))

    def percent(self, rate: Decimal | int) -> str:
        """A percentage given in percent (``Decimal("3.5")`` is 3.5 %), all its decimals kept.

        Example:
            >>> Translator("es_ES").percent(Decimal("3.5")) == "3,5\\xa0%"
            True
        """
        return _percent(self.babel, str(rate))

    def date(self, value: dt.date) -> str:
        """A date in the locale's long format (``23 de dezembro de 2026``)."""
        return _date(self.babel, value)

    def month(self, value: dt.date) -> str:
        """A month and year in the locale (``March 2026``, ``março de 2026``): when a customer did something.

        Example:
            >>> import datetime as dt
            >>> Translator("pt_PT").month(dt.date(2026, 3, 14)), Translator("sv").month(dt.date(2026, 3, 1))
            ('março de 2026', 'mars 2026')
        """
        return _month(self.babel, value)

    def phone(self, number: str) -> str:
        """A phone number in the international format, read as dialled in the locale's country.

        Example:
            >>> Translator("sv_SE").phone("0731112233"), Translator("sv").phone("+351913456789")
            ('+46 73 111 22 33', '+351 913 456 789')
        """
        return format_phone(number, _region(self.locale) or _region(str(self.babel)))

    def country(self, code: str) -> str:
        """A country's name in the locale (``PT`` -> ``Portugal``; the code itself when unknown)."""
        return str(self.babel.territories.get(code.upper(), code))


if __name__ == "__main__":  # pragma: no cover - developer tool
    for written in compile_catalogs():
        print(written)
