"""The Jinja2 sandbox quotes render in: an immutable sandbox with resource limits, and its template loader.

Templates run in a :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with ``StrictUndefined``, autoescaping
in the HTML templates only (``*.html.j2`` and ``*.pdf.j2``). Limits guard the sandbox against resource abuse:
loop iterations, string and output sizes, big numbers and the render time are capped (:class:`Limits`), and a
template that breaks them, reaches for internals (``__class__``, ``_private``...), fails to compile or fails to
render raises :class:`~configurator.errors.QuoteTemplateError` (or
:class:`~configurator.errors.TemplateSecurityError`) naming the file and line.

A tenant's template folders are searched before the packaged defaults (:data:`DEFAULT_TEMPLATES`); a tenant
template may extend a default one by its ``default/`` name (``{% extends "default/quote.html.j2" %}``).

Example:
    >>> env = environment(())
    >>> run_template(env.from_string("{% for i in range(3) %}{{ i }}{% endfor %}"), {}, Limits())
    '012'
    >>> run_template(env.from_string("{{ 'x' * 10 }}"), {}, Limits(string=5))
    Traceback (most recent call last):
    ...
    configurator.errors.TemplateSecurityError: <template>: not allowed: a sequence repeated 10 times is too long
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
from pathlib import Path
from typing import Any

from configurator.errors import QuoteTemplateError, TemplateSecurityError

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
    "Gettext",
    "Limits",
    "environment",
    "load_template",
    "run_template",
    "template_folders",
    "template_source",
    "where",
]

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
"""The packaged default templates (``configurator/quoting/templates``)."""


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


class Gettext:
    """The ``_()`` templates see: the quote's gettext (the sandbox calls it without Jinja's generic checks)."""

    __slots__ = ("_gettext",)

    def __init__(self, gettext: Callable[..., str]) -> None:
        self._gettext = gettext

    def __call__(self, msgid: str, /, **values: Any) -> str:
        """The translation of ``msgid`` with ``values`` filled in."""
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
        if type(obj) is Gettext:
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
def environment(folders: tuple[str, ...]) -> jinja2.Environment:
    """The sandbox loading from ``folders`` first, then the defaults (also as ``default/...``); one per folders."""
    default = jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(list(folders))] if folders else []
    loaders += [default, jinja2.PrefixLoader({"default": default})]
    return _QuoteSandbox(jinja2.ChoiceLoader(loaders))


def where(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The template file and line an exception was raised at (Jinja rewrites tracebacks to template lines)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name or fallback, exc.lineno or 0
    found = (fallback, 0)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith((".j2", ".html", ".md", ".txt")) or frame.f_globals.get("__jinja_template__"):
            found = (name, line)
    return found


def template_folders(
    templates: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None,
) -> tuple[str, ...]:
    """A tenant's template folder(s) as resolved paths (empty for the packaged defaults only).

    Example:
        >>> template_folders(None), len(template_folders(["a", "b"]))
        ((), 2)
    """
    if templates is None:
        return ()
    if isinstance(templates, str | os.PathLike):
        templates = [templates]
    return tuple(str(Path(t).resolve()) for t in templates)


def load_template(env: jinja2.Environment, name: str, folders: Sequence[str]) -> jinja2.Template:
    """The template ``name`` from ``env``; a missing or broken one raises QuoteTemplateError (file and line)."""
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound as exc:
        raise QuoteTemplateError(
            name, 0, f"template not found in {[*folders, str(DEFAULT_TEMPLATES)]}"
        ) from exc
    except jinja2.TemplateSyntaxError as exc:
        file, line = where(exc, name)
        raise QuoteTemplateError(file, line, f"does not compile: {exc.message}") from exc


def template_source(env: jinja2.Environment, name: str, folders: Sequence[str]) -> str:
    """The text of the file ``name`` (a style sheet) as the loader finds it: the tenant's first."""
    try:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound as exc:
        raise QuoteTemplateError(
            name, 0, f"style sheet not found in {[*folders, str(DEFAULT_TEMPLATES)]}"
        ) from exc
    return source


def run_template(template: jinja2.Template, context: dict[str, Any], limits: Limits) -> str:
    """Render ``template`` within ``limits``; any failure is a QuoteTemplateError naming file and line."""
    name = template.filename or template.name or "<template>"
    token = _BUDGET.set(_Budget(limits, time.monotonic() + limits.seconds))
    parts: list[str] = []
    size = 0
    try:
        chunks = template.generate(context)
        # Batches keep the size check off the per-chunk path; one batch can exceed the limit by at most
        # 256 strings of Limits.string characters before it is refused.
        while batch := list(itertools.islice(chunks, 256)):
            size += sum(map(len, batch))
            if size > limits.output:
                raise TemplateSecurityError(name, 0, f"output longer than {limits.output} characters")
            parts.extend(batch)
    except QuoteTemplateError:
        raise
    except SecurityError as exc:
        file, line = where(exc, name)
        raise TemplateSecurityError(file, line, f"not allowed: {exc}") from exc
    except jinja2.UndefinedError as exc:
        file, line = where(exc, name)
        raise QuoteTemplateError(file, line, f"undefined value: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        file, line = where(exc, name)
        raise QuoteTemplateError(file, line, f"does not compile: {exc.message}") from exc
    except (RecursionError, MemoryError, OverflowError) as exc:
        file, line = where(exc, name)
        raise TemplateSecurityError(file, line, f"too much work: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        file, line = where(exc, name)
        raise QuoteTemplateError(file, line, f"failed: {type(exc).__name__}: {exc}") from exc
    finally:
        _BUDGET.reset(token)
    return "".join(parts)
