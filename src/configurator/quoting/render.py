"""Render a quote in the customer's language: HTML (email safe), Markdown, plain text and PDF.

Templates run in a Jinja2 :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with ``StrictUndefined``,
autoescaping in the HTML templates only (``*.html.j2`` and ``*.pdf.j2``). The default templates live in
``configurator/templates/``: ``quote.html.j2`` (email), ``quote.md.j2``, ``quote.txt.j2``, ``quote.pdf.j2`` (print
HTML, leaner than the email layout so that it prints fast, on one A4 page for a typical quote), ``quote.print.css``
(its style, named by its ``configurator-print`` meta tag) and ``quote.pdf.css`` (the page style added to every
PDF). Style sheets are parsed once per process and text, and share one font configuration per template folders;
the print layout gets a lean user-agent style sheet (:data:`LEAN_UA_STYLESHEET`). A product team overrides any of them by passing its own template folder, searched first; a tenant with
a ``quote.html.j2`` but no ``quote.pdf.j2`` gets its HTML printed. A tenant template may also extend a default
one by its ``default/`` name (``{% extends "default/quote.html.j2" %}``) and replace blocks.

Templates see prepared plain data only (translated labels, money and dates already formatted by Babel for the
quote's locale) and ``_()``, the quote's gettext; see :func:`quote_view`. Limits guard the sandbox against
resource abuse: loop iterations, string and output sizes, big numbers and the render time are capped, and a
template that breaks them, reaches for internals (``__class__``, ``_private``...), fails to compile or fails
to render raises :class:`QuoteTemplateError` (or :class:`TemplateSecurityError`) naming the file and line.

Every text not found in the quote's language falls back along ``pt_PT -> pt -> catalog default -> en`` and is
listed in :attr:`RenderedQuote.fallbacks`.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.quoting.model import EXAMPLE, Quote
    >>> catalog = Catalog.model_validate({"catalog": "bike-city", "version": "2026.11", "currency": "EUR",
    ...     "name": {"en": "City bike", "pt": "Bicicleta urbana"}, "locales": ["en", "pt"], "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"},
    ...     "options": {"alu_m": {"label": {"en": "Aluminium M", "pt": "Alumínio M"}, "price": 420}}}},
    ...     "services": {"setup": {"kind": "post_sale", "label": {"en": "Setup"}, "price": 30}}})
    >>> out = render_quote(Quote.from_data(EXAMPLE), catalog, format="txt")
    >>> print(out.content.splitlines()[0])
    ORÇAMENTO Q-2026-0001 (versão 1)
    >>> "Alumínio M" in out.content and "485,60\\xa0€" in out.content
    True
    >>> [str(f) for f in out.fallbacks]
    ["services.setup.label: no 'pt_PT' text, used 'en'"]
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import itertools
import math
import os
import re
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from configurator.catalog.models import Catalog
from configurator.errors import ConfiguratorError
from configurator.quoting.i18n import Fallback, Translator
from configurator.quoting.model import Quote, Step

try:
    import jinja2
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2.utils import Namespace
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
    raise ModuleNotFoundError(
        f"quote rendering needs {exc.name!r}: pip install 'configurator[pdf]'", name=exc.name
    ) from exc

__all__ = [
    "DEFAULT_TEMPLATES",
    "FORMATS",
    "Limits",
    "QuoteRenderError",
    "QuoteRenderer",
    "QuoteTemplateError",
    "RenderedQuote",
    "TemplateSecurityError",
    "quote_view",
    "render_quote",
]

Format = Literal["html", "md", "txt", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "md", "txt", "pdf")
"""The output formats; ``pdf`` is printed from the HTML template with WeasyPrint."""

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
"""The packaged default templates (``configurator/templates``)."""

TEMPLATE_NAMES: Mapping[str, str] = {
    "html": "quote.html.j2",
    "md": "quote.md.j2",
    "txt": "quote.txt.j2",
    "pdf": "quote.pdf.j2",
}
PDF_STYLESHEET = "quote.pdf.css"


def N_(msgid: str) -> str:
    """Mark a message for extraction (Babel) without translating it here."""
    return msgid


TERMS = (N_("terms.validity"), N_("terms.payment"), N_("terms.delivery"), N_("terms.warranty"))
"""The term ids the default message catalogs translate (``Quote.terms`` holds them)."""


class QuoteRenderError(ConfiguratorError):
    """A quote cannot be rendered (unknown format, missing PDF support...)."""

    problem_type = "quote-render"
    status = 500
    title = "The quote could not be rendered"


class QuoteTemplateError(QuoteRenderError, ValueError):
    """A template fails to compile or to render.

    Attributes:
        template: the template file (path when it is a file) or name.
        line: the 1-based line in it, 0 when unknown.
        reason: what went wrong.
    """

    def __init__(self, template: str, line: int, reason: str) -> None:
        self.template = template
        self.line = line
        self.reason = reason
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {reason}")


class TemplateSecurityError(QuoteTemplateError):
    """A template reached for something the sandbox forbids or went past a resource limit."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one render may use.

    Attributes:
        iterations: loop steps over ``range()`` in all, per render.
        string: the longest string an operation, call or filter may build (characters).
        integer: the largest integer argument to a call or filter, and the largest power.
        output: the longest output (characters).
        seconds: the render time.
    """

    iterations: int = 100_000
    string: int = 100_000
    integer: int = 1_000_000
    output: int = 5_000_000
    seconds: float = 5.0


@dataclasses.dataclass(frozen=True)
class RenderedQuote:
    """A rendered quote and what had to fall back.

    Attributes:
        content: the document (``bytes`` for PDF, ``str`` otherwise).
        format: ``html``, ``md``, ``txt`` or ``pdf``.
        locale: the locale asked for.
        formatting_locale: the Babel locale money, dates and numbers were written in.
        template: the template file used.
        fallbacks: every text not found in the locale's language, with what was used instead.
    """

    content: str | bytes
    format: str
    locale: str
    formatting_locale: str
    template: str
    fallbacks: tuple[Fallback, ...]

    @property
    def warnings(self) -> list[str]:
        """The fallbacks as sentences (for logs and the sales rep's screen)."""
        return [str(f) for f in self.fallbacks]


# --- the sandbox -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Budget:
    limits: Limits
    deadline: float
    iterations: int = 0
    ticks: int = 0

    def tick(self, steps: int = 0) -> None:
        self.iterations += steps
        if self.iterations > self.limits.iterations:
            raise SecurityError(f"more than {self.limits.iterations} loop iterations")
        self.ticks += 1
        # The clock is read every 64 operations: cheap, and still within milliseconds of the limit.
        if not self.ticks & 63 and time.monotonic() > self.deadline:
            raise SecurityError(f"rendering took longer than {self.limits.seconds:g} s")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("quote_budget", default=None)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    if budget is None:  # rendering outside render(): default limits
        budget = _Budget(Limits(), time.monotonic() + Limits().seconds)
        _BUDGET.set(budget)
    return budget


_SEQUENCES = (str, bytes, list, tuple)


def _check_value(value: Any, what: str) -> Any:
    if isinstance(value, _SEQUENCES):
        limit = _budget().limits.string
        if len(value) > limit:
            raise SecurityError(f"{what} would build {len(value)} items (limit {limit})")
    return value


def _check_args(args: Sequence[Any], kwargs: Mapping[str, Any], what: str | Callable[[], str]) -> None:
    """Refuse an integer or sequence argument past the limits (``what``, or what it returns, names the callee)."""
    limits = _budget().limits
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > limits.integer:
            raise SecurityError(f"{_name(what)} called with {value} (limit {limits.integer})")
        if isinstance(value, _SEQUENCES) and len(value) > limits.string:
            _check_value(value, f"an argument of {_name(what)}")


def _name(what: str | Callable[[], str]) -> str:
    return what if isinstance(what, str) else what()


def _capped_range(*args: int) -> range:
    _check_args(args, {}, "range()")
    found = range(*args)
    if len(found) > _budget().limits.iterations:
        raise SecurityError(
            f"range of {len(found)} items (limit {_budget().limits.iterations} loop iterations)"
        )
    return found


def _loop_guard(items: Any) -> Iterator[Any]:
    """Every ``{% for %}`` loop iterates through this (see ``_QuoteSandbox._parse``): it counts the steps."""
    budget = _budget()
    for item in items:
        budget.tick(1)
        yield item


_capped_range.__name__ = "range"


class _CappedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the string limit (no doubling loops)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _check_value(value, f"namespace attribute {name!r}")
        super().__setitem__(name, value)


_PRINTF_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")


def _capped_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_args(args, kwargs, f"filter {name!r}")
        if name == "format" and args:
            _check_printf(args[0])
        return _check_value(func(*args, **kwargs), f"filter {name!r}")

    return wrapper


def _check_printf(fmt: Any) -> None:
    if isinstance(fmt, str):
        for width, precision in _PRINTF_WIDTH.findall(fmt):
            for n in (width, precision):
                if n == "*" or (n and int(n) > 1000):
                    raise SecurityError(f"%-format width {n!r} is too wide")


class _Gettext:
    """The ``_()`` templates see: the quote's gettext (the sandbox calls it without Jinja's generic checks)."""

    __slots__ = ("_gettext",)

    def __init__(self, gettext: Callable[..., str]) -> None:
        self._gettext = gettext

    def __call__(self, msgid: str, /, **values: Any) -> str:
        return self._gettext(msgid, **values)


class _QuoteSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox plus resource limits (see :class:`Limits`)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, loader: jinja2.BaseLoader) -> None:
        super().__init__(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html", "htm", "html.j2", "htm.j2", "pdf.j2"), default_for_string=False
            ),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,
        )
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["range"] = _capped_range
        self.globals["namespace"] = _CappedNamespace
        self.filters = {name: _capped_filter(name, f) for name, f in self.filters.items()}
        self.filters["_loop_guard"] = _loop_guard

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """Refuse operators that would build huge numbers or strings."""
        _budget().tick()
        limits = _budget().limits
        if operator == "**" and isinstance(left, int | float) and isinstance(right, int | float):
            size = abs(right) * math.log2(abs(left)) if abs(left) > 1 else 0
            if abs(right) > limits.integer or size > 4096:
                raise SecurityError(f"{left} ** {right} is too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | bytes | list | tuple)
                    and isinstance(n, int)
                    and len(seq) * n > limits.string
                ):
                    raise SecurityError(f"a sequence repeated {n} times is too long")
        if operator == "%" and isinstance(left, str):
            _check_printf(left)
        return _check_value(super().call_binop(context, operator, left, right), f"operator {operator!r}")

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Call with the integer, size and time limits."""
        budget = _budget()
        budget.tick()
        if type(obj) is _Gettext:
            # The render's own ``_()``: a known, safe callable that takes no context (Jinja's checks for
            # arbitrary callables are skipped; the argument and result limits still apply).
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            limit = budget.limits.string
            for value in (*args, *kwargs.values()):
                if type(value) is not str or len(value) > limit:
                    _check_args(args, kwargs, "_")
                    break
            return _check_value(obj(*args, **kwargs), "a call")
        _check_args(
            args, kwargs, lambda: str(getattr(obj, "__name__", None) or getattr(obj, "name", "a function"))
        )
        return _check_value(super().call(context, obj, *args, **kwargs), "a call")

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``item.key`` on the view's plain dicts looks the key up first (Jinja tries the attribute first)."""
        if type(obj) is dict and attribute in obj and not attribute.startswith("_"):
            return obj[attribute]
        return super().getattr(obj, attribute)

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        """Parse, then route every loop's iterable through the step counter (nested loops over data too)."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(jinja2.nodes.For):
            loop.iter = jinja2.nodes.Filter(loop.iter, "_loop_guard", [], [], None, None, lineno=loop.lineno)
        return tree


@functools.lru_cache(maxsize=64)
def _environment(folders: tuple[str, ...]) -> _QuoteSandbox:
    default = jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(list(folders))] if folders else []
    loaders += [default, jinja2.PrefixLoader({"default": default})]
    return _QuoteSandbox(jinja2.ChoiceLoader(loaders))


def _where(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The template file and line an exception was raised at (Jinja rewrites tracebacks to template lines)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name or fallback, exc.lineno or 0
    found = (fallback, 0)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith((".j2", ".html", ".md", ".txt")) or frame.f_globals.get("__jinja_template__"):
            found = (name, line)
    return found


# --- the view: what templates see -------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~<>])")


def _md_escape(text: str) -> str:
    r"""Text made inert in Markdown: no emphasis, links, table cells or raw HTML.

    Example:
        >>> print(_md_escape("<script>*x*|[y]"))
        \<script\>\*x\*\|\[y\]
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def _deep(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {k: _deep(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep(v, fn) for v in value]
    return value


_STEP_LABELS = {
    "list": N_("List price"),
    "quantity": N_("Quantity × %(qty)s"),
    "volume": N_("Volume discount"),
    "bundle": N_("Bundle discount: %(label)s"),
    "tier": N_("Loyalty discount"),
    "contract": N_("Contract price"),
    "manual": N_("Special discount"),
    "services": N_("Services"),
    "tax": N_("Tax (%(country)s)"),
    "rounding": N_("Rounding"),
}

_REASONS = {
    "stated": N_("You asked for %(option)s."),
    "purchased": N_("You bought %(option)s before."),
    "configured": N_("You chose %(option)s when you configured earlier."),
    "viewed": N_("You looked at %(option)s."),
    "popular": N_("Customers like you chose %(option)s."),
    "required": N_("Your other choices require %(option)s."),
    "budget": N_("With %(option)s the bundle stays within your budget."),
    "tier": N_("Your customer programme includes %(option)s."),
    "default": N_("Our standard choice for %(module)s: %(option)s."),
}

_SERVICE_KINDS = {
    "post_sale": N_("After-sales service"),
    "training": N_("Training"),
    "advisory": N_("Advice"),
}

_CUSTOMER_FIELDS = ("name", "company", "email", "phone", "address")


def _catalog_at(catalog: Catalog, path: str) -> Catalog | None:
    """The sub-assembly catalog at ``module.option[/module.option...]``."""
    current: Catalog | None = catalog
    for part in filter(None, path.split("/")):
        module, _, option = part.partition(".")
        current = current.products.get((module, option)) if current else None
    return current


def _option_label(
    tr: Translator, catalog: Catalog, module: str, option: str, path: str = ""
) -> tuple[str, str]:
    where = _catalog_at(catalog, path)
    prefix = f"{path}/" if path else ""
    mod = where.modules.get(module) if where else None
    opt = mod.options.get(option) if mod else None
    if mod is None or opt is None:
        tr.text(None, f"{prefix}modules.{module}.options.{option} (not in catalog {catalog.catalog})", "")
        return module, option
    return (
        tr.text(mod.label, f"{prefix}modules.{module}.label", module),
        tr.text(opt.label, f"{prefix}modules.{module}.options.{option}.label", option),
    )


def _step_view(tr: Translator, catalog: Catalog, quote: Quote, step: Step) -> dict[str, Any]:
    _ = tr.gettext
    rate = tr.percent(step.rate) if step.rate is not None else ""
    values: dict[str, str] = {}
    if step.kind == "bundle":
        found = next((b for b in catalog.pricing.bundles if b.id == step.ref), None)
        values["label"] = tr.text(
            found.label if found else None, f"pricing.bundles.{step.ref}.label", step.ref
        )
    elif step.kind == "tax":
        values["country"] = tr.country(step.ref)
    elif step.kind == "quantity":
        values["qty"] = tr.number(quote.quantity)
    msgid = _STEP_LABELS.get(step.kind)
    label = _(msgid, **values) if msgid else tr.text(None, f"waterfall step {step.kind!r}", step.kind)
    return {
        "kind": step.kind,
        "label": label,
        "rate": rate,
        "amount": tr.money(step.amount, quote.currency),
        "subtotal": tr.money(step.subtotal, quote.currency),
        "is_discount": step.is_discount,
        "is_zero": not step.amount,
    }


def quote_view(
    quote: Quote, catalog: Catalog, tr: Translator, customer: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The plain data templates see: every text translated and every number formatted for ``tr``'s locale.

    Keys: ``lang`` (BCP 47, for ``<html lang>``), ``title`` (the catalog's name), ``quote`` (``number``,
    ``version``, ``date``, ``valid_until``, ``quantity``, ``status``, ``tier``), ``customer`` (``id`` and the
    optional ``name``, ``company``, ``email``, ``phone`` (international format, read as dialled in the locale's
    country), ``address``; ``fields`` lists the given ones as ``key``, ``label``, ``value``), ``lines``
    (``module``, ``option``, ``qty``, ``unit_price``, ``amount``), ``steps`` (``kind``, ``label``, ``rate``,
    ``amount``, ``subtotal``, ``is_discount``, ``is_zero``), ``totals`` (``list``, ``discounts``, ``net``,
    ``tax``, ``total``), ``services`` (``label``, ``kind``, ``included``, ``list_price``, ``price``),
    ``reasons`` (``text``; ``refs``, the first :data:`MAX_REFS` event ids and how many more; ``events``, all
    of them), ``terms`` (texts), ``needs_approval``.

    Example:
        >>> from configurator.quoting.model import EXAMPLE
        >>> from configurator.catalog.models import Catalog
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu_m": {"label": "Aluminium M"}}}}})
        >>> view = quote_view(Quote.from_data(EXAMPLE), c, Translator("en_US"))
        >>> view["lines"][0]["option"], view["totals"]["total"], view["steps"][1]["label"]
        ('Aluminium M', '€485.60', 'Loyalty discount')
    """
    _ = tr.gettext
    money = functools.partial(_money, tr, quote.currency)
    lines = []
    for line in quote.lines:
        module, option = _option_label(tr, catalog, line.module, line.option, line.path)
        lines.append(
            {
                "module": module,
                "option": option,
                "qty": tr.number(line.qty),
                "unit_price": money(line.unit_price),
                "amount": money(line.amount),
            }
        )
    services = []
    for s in quote.services:
        found = catalog.services.get(s.service)
        label = tr.text(found.label if found else None, f"services.{s.service}.label", s.service)
        kind = _(_SERVICE_KINDS[s.kind]) if s.kind in _SERVICE_KINDS else s.kind
        services.append(
            {
                "label": label,
                "kind": kind,
                "included": s.included,
                "list_price": money(s.list_price),
                "price": _("Included") if s.included else money(s.price),
            }
        )
    reasons = []
    for r in quote.reasons:
        module, option = _option_label(tr, catalog, r.module, r.option)
        if r.because == "budget" and "instead_of" in r.detail:
            instead = _option_label(tr, catalog, r.module, r.detail["instead_of"])[1]
            text = _(
                N_(
                    "We chose %(option)s instead of %(instead)s to keep the bundle within your budget (you save %(saves)s)."
                ),
                option=option,
                instead=instead,
                saves=money(Decimal(r.detail.get("saves", "0"))),
            )
        elif r.because in _REASONS:
            text = _(_REASONS[r.because], option=option, module=module)
        else:
            text = option + " " + tr.text(None, f"reason {r.because!r}", "")
        reasons.append({"text": text.strip(), "refs": _refs(tr, r.events), "events": list(r.events)})
    terms = []
    for term in quote.terms:
        text = _(term, valid_until=tr.date(quote.valid_until), currency=quote.currency)
        terms.append(text)
    w = quote.waterfall
    given = dict(customer or {})
    if given.get("phone"):
        given["phone"] = tr.phone(given["phone"])
    field_labels = {
        "name": _("Name"),
        "company": _("Company"),
        "email": _("Email"),
        "phone": _("Phone"),
        "address": _("Address"),
    }
    return {
        "lang": tr.locale.replace("_", "-"),
        "title": tr.text(catalog.name, "catalog name", catalog.catalog),
        "quote": {
            "number": quote.quote_id,
            "version": str(quote.version),
            "date": tr.date(quote.created_at.date()),
            "valid_until": tr.date(quote.valid_until),
            "quantity": tr.number(quote.quantity),
            "status": quote.status,
            "catalog_version": quote.catalog_version,
        },
        "customer": {
            "id": quote.customer_id,
            **{k: given[k] for k in _CUSTOMER_FIELDS if given.get(k)},
            "fields": [
                {"key": k, "label": field_labels[k], "value": given[k]}
                for k in _CUSTOMER_FIELDS
                if given.get(k)
            ],
        },
        "lines": lines,
        "steps": [_step_view(tr, catalog, quote, s) for s in w.steps],
        "totals": {
            "list": money(w.list_total),
            "discounts": money(w.discounts),
            "net": money(w.net),
            "tax": money(w.tax),
            "total": money(w.total),
        },
        "services": services,
        "reasons": reasons,
        "terms": terms,
        "needs_approval": w.needs_approval,
    }


MAX_REFS = 3
"""The event ids a reason cites at most; the rest are counted ("+6 more")."""


def _refs(tr: Translator, events: Sequence[str]) -> str:
    """The events behind a reason: at most :data:`MAX_REFS` ids, then how many more."""
    if not events:
        return ""
    shown = ", ".join(events[:MAX_REFS])
    if len(events) > MAX_REFS:
        shown += "\xa0" + tr.gettext(N_("+%(count)s more"), count=tr.number(len(events) - MAX_REFS))
    return tr.gettext(N_("ref. %(events)s"), events=shown)


def _money(tr: Translator, currency: str, amount: Decimal) -> str:
    return tr.money(amount, currency)


# --- rendering --------------------------------------------------------------------------------------------


def _folders(templates: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None) -> tuple[str, ...]:
    if templates is None:
        return ()
    if isinstance(templates, str | os.PathLike):
        templates = [templates]
    return tuple(str(Path(t).resolve()) for t in templates)


class QuoteRenderer:
    """Renders quotes with a tenant's templates (searched first) over the packaged defaults.

    Args:
        templates: the tenant's template folder(s), or None for the defaults only.
        limits: resource limits of one render.

    Example:
        >>> QuoteRenderer().template_file("md").endswith("quote.md.j2")
        True
    """

    def __init__(
        self,
        templates: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.folders = _folders(templates)
        self.limits = limits or Limits()
        self._env = _environment(self.folders)

    def template_name(self, format: str) -> str:
        """The template a format renders: ``quote.<format>.j2``.

        For PDF, a tenant's ``quote.html.j2`` when the tenant has one but no ``quote.pdf.j2``: its branding wins
        over the default print layout.

        Example:
            >>> QuoteRenderer().template_name("pdf")
            'quote.pdf.j2'
        """
        name = TEMPLATE_NAMES[format]
        if format == "pdf" and not self._tenant_has(name) and self._tenant_has(TEMPLATE_NAMES["html"]):
            return TEMPLATE_NAMES["html"]
        return name

    def _tenant_has(self, name: str) -> bool:
        return any((Path(folder) / name).is_file() for folder in self.folders)

    def template_file(self, format: str) -> str:
        """The file the format's template is read from (a tenant's when it has one)."""
        name = self.template_name(format)
        return self._load(name).filename or name

    def _load(self, name: str) -> jinja2.Template:
        try:
            return self._env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            raise QuoteTemplateError(
                name, 0, f"template not found in {[*self.folders, str(DEFAULT_TEMPLATES)]}"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            file, line = _where(exc, name)
            raise QuoteTemplateError(file, line, f"does not compile: {exc.message}") from exc

    def render(
        self,
        quote: Quote,
        catalog: Catalog,
        *,
        format: Format = "html",
        locale: str | None = None,
        customer: Mapping[str, str] | None = None,
    ) -> RenderedQuote:
        """Render ``quote`` (see :func:`render_quote`)."""
        if format not in TEMPLATE_NAMES:
            raise QuoteRenderError(f"unknown quote format {format!r}: expected one of {', '.join(FORMATS)}")
        tr = Translator(locale or quote.locale, catalog.default_locale)
        view = quote_view(quote, catalog, tr, customer)
        if format == "md":
            view = _deep(view, _md_escape)
        gettext = _md_gettext(tr) if format == "md" else tr.gettext
        template = self._load(self.template_name(format))
        text = self._run(template, {**view, "_": _Gettext(gettext), "format": format})
        content: str | bytes = text
        if format == "pdf":
            content = self._pdf(text)
        return RenderedQuote(
            content=content,
            format=format,
            locale=tr.locale,
            formatting_locale=str(tr.babel),
            template=template.filename or template.name or "",
            fallbacks=tuple(tr.fallbacks),
        )

    def _run(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        name = template.filename or template.name or "<template>"
        token = _BUDGET.set(_Budget(self.limits, time.monotonic() + self.limits.seconds))
        parts: list[str] = []
        size = 0
        try:
            chunks = template.generate(context)
            # Batches keep the size check off the per-chunk path; one batch can exceed the limit by at most
            # 256 strings of Limits.string characters before it is refused.
            while batch := list(itertools.islice(chunks, 256)):
                size += sum(map(len, batch))
                if size > self.limits.output:
                    raise TemplateSecurityError(
                        name, 0, f"output longer than {self.limits.output} characters"
                    )
                parts.extend(batch)
        except QuoteTemplateError:
            raise
        except SecurityError as exc:
            file, line = _where(exc, name)
            raise TemplateSecurityError(file, line, f"not allowed: {exc}") from exc
        except jinja2.UndefinedError as exc:
            file, line = _where(exc, name)
            raise QuoteTemplateError(file, line, f"undefined value: {exc.message}") from exc
        except jinja2.TemplateSyntaxError as exc:
            file, line = _where(exc, name)
            raise QuoteTemplateError(file, line, f"does not compile: {exc.message}") from exc
        except (RecursionError, MemoryError, OverflowError) as exc:
            file, line = _where(exc, name)
            raise TemplateSecurityError(file, line, f"too much work: {type(exc).__name__}: {exc}") from exc
        except Exception as exc:
            file, line = _where(exc, name)
            raise QuoteTemplateError(file, line, f"failed: {type(exc).__name__}: {exc}") from exc
        finally:
            _BUDGET.reset(token)
        return "".join(parts)

    def _pdf(self, html: str) -> bytes:
        try:
            import weasyprint
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
            raise QuoteRenderError("PDF quotes need WeasyPrint: pip install 'configurator[pdf]'") from exc
        fetcher = _local_fetcher(self._roots())
        base = Path(self.folders[0] if self.folders else DEFAULT_TEMPLATES).as_uri() + "/"
        print_css = _PRINT_META.search(html, 0, 4096)
        # The default print layout names its style sheet and gets the lean user-agent style sheet; anything
        # else (a tenant's HTML template printed) gets WeasyPrint's full one and HTML presentational hints.
        stylesheets = [self._stylesheet(print_css.group(1), base)] if print_css else []
        stylesheets.append(self._stylesheet(PDF_STYLESHEET, base))
        html_class = _lean_html_class() if print_css else weasyprint.HTML
        document = html_class(string=html, base_url=base, url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(
            stylesheets=stylesheets,
            font_config=_font_config(self.folders),
            presentational_hints=not print_css,
            optimize_images=False,
        )
        return pdf

    def _roots(self) -> tuple[str, ...]:
        return (*self.folders, str(DEFAULT_TEMPLATES))

    def _stylesheet(self, name: str, base: str) -> Any:
        """The parsed style sheet ``name`` (the tenant's first), parsed once per process and text."""
        try:
            source, _, _ = self._env.loader.get_source(self._env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound as exc:
            raise QuoteTemplateError(
                name, 0, f"style sheet not found in {[*self.folders, str(DEFAULT_TEMPLATES)]}"
            ) from exc
        return _parsed_css(self.folders, source, base)


_PRINT_META = re.compile(r'<meta name="configurator-print" content="([\w-]+(?:\.[\w-]+)*\.css)">')
"""The print template's marker: its style sheet (a file name in the template folders)."""

LEAN_UA_STYLESHEET = """
[hidden], head, link, meta, script, style, template, title { display: none }
address, article, aside, blockquote, body, dd, div, dl, dt, figure, figcaption, footer, h1, h2, h3, h4, h5, h6,
header, hr, html, main, nav, ol, p, pre, section, ul { display: block }
li { display: list-item }
table { display: table; border-spacing: 2px; border-collapse: separate; box-sizing: border-box;
  text-indent: initial }
caption { display: table-caption }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tfoot { display: table-footer-group }
tr { display: table-row }
td, th { display: table-cell; padding: 1px }
blockquote, dl, figure, ol, p, pre, ul { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
h1 { margin: .67em 0; font-size: 2em; bookmark-level: 1 }
h2 { margin: .83em 0; font-size: 1.5em; bookmark-level: 2 }
h3 { margin: 1em 0; font-size: 1.17em; bookmark-level: 3 }
h4, h5, h6 { margin: 1.33em 0 }
h1, h2, h3, h4, h5, h6 { font-weight: bold; hyphens: manual; break-after: avoid; break-inside: avoid }
h1, h2, h3 { bookmark-label: content(text) }
blockquote, figure { margin-left: 40px; margin-right: 40px }
dd { margin-left: 40px }
ol, ul { padding-left: 40px; counter-reset: list-item; break-before: avoid }
ol { list-style-type: decimal }
ul { list-style-type: disc }
thead, tbody, tfoot { vertical-align: middle }
tr, td, th { vertical-align: inherit }
sub { vertical-align: sub }
sup { vertical-align: super }
address, cite, em, i, var { font-style: italic }
b, strong, th { font-weight: bold }
code, kbd, pre, samp, tt { font-family: monospace }
small, sub, sup { font-size: smaller }
sub, sup { line-height: normal }
table, td, th { border-color: gray }
thead, tbody, tfoot, tr { border-color: inherit }
a[href] { color: blue }
a[href], ins, u { text-decoration: underline }
del, s { text-decoration: line-through }
br::before { content: "\\A"; white-space: pre-line }
hr { border-style: inset; border-width: 1px; color: gray; margin: .5em auto }
pre { white-space: pre }
img, svg { overflow: hidden }
::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
@page {
  margin: 75px;
  @top-left { text-align: left; vertical-align: middle }
  @top-center { text-align: center; vertical-align: middle }
  @top-right { text-align: right; vertical-align: middle }
  @bottom-left { text-align: left; vertical-align: middle }
  @bottom-center { text-align: center; vertical-align: middle }
  @bottom-right { text-align: right; vertical-align: middle }
}
"""
"""The user-agent style sheet of the print layout: WeasyPrint's HTML defaults for the elements a document
uses (no form fields, no ``dir`` or ``frame`` attribute rules). Matching WeasyPrint's full one against every
element costs about a seventh of a quote's print time."""


@functools.cache
def _lean_html_class() -> type:
    """``weasyprint.HTML`` with :data:`LEAN_UA_STYLESHEET` as its user-agent style sheet.

    ``_ua_stylesheets`` is WeasyPrint's hook (see ``tests/quoting/test_render.py``, which checks that it is
    still called); were it renamed, documents would get the full style sheet: slower, never wrong.
    """
    import weasyprint

    ua = weasyprint.CSS(string=LEAN_UA_STYLESHEET)

    class LeanHTML(weasyprint.HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [ua]

    return LeanHTML


@functools.lru_cache(maxsize=16)
def _font_config(folders: tuple[str, ...]) -> Any:
    """One WeasyPrint font configuration per template folders and process (creating one costs milliseconds)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.lru_cache(maxsize=64)
def _parsed_css(folders: tuple[str, ...], source: str, base: str) -> Any:
    """A style sheet parsed once per process, folders and text (an edited file is parsed again)."""
    import weasyprint

    return weasyprint.CSS(
        string=source,
        base_url=base,
        url_fetcher=_local_fetcher((*folders, str(DEFAULT_TEMPLATES))),
        font_config=_font_config(folders),
    )


def _md_gettext(tr: Translator) -> Callable[..., str]:
    def gettext(msgid: str, /, **values: str) -> str:
        return _md_escape(tr.gettext(msgid, **values))

    return gettext


@functools.lru_cache(maxsize=64)
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches ``data:`` URLs and files inside the template folders; refuses everything else."""

        def __init__(self, roots: Sequence[str]) -> None:
            super().__init__(allowed_protocols=("file", "data"))
            self.roots = [Path(r).resolve() for r in roots]

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
                if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                    return URLFetcherResponse(url, body=path.read_bytes())
            raise ValueError(f"quotes embed no remote or outside resources: refused {url}")

    return LocalOnlyFetcher


@functools.lru_cache(maxsize=64)
def _cached_fetcher(roots: tuple[str, ...]) -> Any:
    return _fetcher_class()(roots)


def _local_fetcher(roots: Sequence[str]) -> Any:
    """The fetcher of a PDF's resources: ``data:`` URLs and files in ``roots`` only (one per roots)."""
    return _cached_fetcher(tuple(roots))


def render_quote(
    quote: Quote,
    catalog: Catalog,
    *,
    format: Format = "html",
    locale: str | None = None,
    templates: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    customer: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> RenderedQuote:
    """Render a quote in its locale (or ``locale``) as HTML, Markdown, plain text or PDF.

    Args:
        quote: the quote.
        catalog: the catalog it was configured in (labels and their translations).
        format: ``html`` (email safe: inline CSS, tables, no scripts, no external resources), ``md``,
            ``txt`` or ``pdf``.
        locale: the language to render in (default: the quote's locale).
        templates: a tenant's template folder(s), searched before the packaged defaults.
        customer: the customer's details to show (``name``, ``company``, ``email``, ``phone``, ``address``).
        limits: resource limits of the render (default :class:`Limits`).

    Returns:
        The document and the list of texts that fell back to another language.

    Raises:
        QuoteTemplateError: a template fails to compile or render (file and line in the message).
        TemplateSecurityError: a template reaches past the sandbox or its limits.
        QuoteRenderError: an unknown format, or PDF without WeasyPrint.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.quoting.model import EXAMPLE, Quote
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu_m": {"label": "<b>Alu</b>"}}}}})
        >>> html = render_quote(Quote.from_data(EXAMPLE), c, locale="sv_SE").content
        >>> "&lt;b&gt;Alu&lt;/b&gt;" in html and "<script" not in html and 'lang="sv-SE"' in html
        True
    """
    renderer = _renderer(_folders(templates), limits or Limits())
    return renderer.render(quote, catalog, format=format, locale=locale, customer=customer)


@functools.lru_cache(maxsize=64)
def _renderer(folders: tuple[str, ...], limits: Limits) -> QuoteRenderer:
    return QuoteRenderer(folders, limits)
