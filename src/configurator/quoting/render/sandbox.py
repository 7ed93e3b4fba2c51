"""The Jinja2 sandbox quotes render in: an immutable sandbox with resource limits, and its template loader.

Templates run in a :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with ``StrictUndefined``, autoescaping
in the HTML templates only (``*.html.j2`` and ``*.pdf.j2``). Limits guard the sandbox against resource abuse:
loop iterations, string and output sizes, big numbers, the render time and the memory a render grows are capped
(:class:`Limits`), and a template that breaks them, reaches for internals (``__class__``, ``_private``...),
fails to compile or fails to render raises :class:`~configurator.errors.QuoteTemplateError` (or
:class:`~configurator.errors.TemplateSecurityError`) naming the file and line.

Sizes are checked BEFORE the work (:mod:`~configurator.quoting.render.bounds`): repetition, ``replace``, format
widths (``%``, ``|format``, ``str.format``/``format_map``), ``join``, ``expandtabs``, padding, ``indent``,
``wordwrap``, ``urlize``, ``tojson``, ``sum`` and writing a container as text (``{{ list }}``, ``~``) are
estimated from their inputs and refused when they would pass :attr:`Limits.string`, so no single C-level
operation runs long or builds much; every loop step, call, filter, test and attribute lookup ticks the budget,
which reads the clock and the process's resident memory every 64 ticks.

A tenant's template folders are searched before the packaged defaults (:data:`DEFAULT_TEMPLATES`) through
:class:`~configurator.quoting.render.loader.TenantLoader` (regular files inside the folder only, no symbolic
links, at most 128 KiB); a tenant template may extend a default one by its ``default/`` name
(``{% extends "default/quote.html.j2" %}``).

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
import decimal
import functools
import math
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from configurator.errors import QuoteTemplateError, TemplateSecurityError

try:
    import jinja2
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import markup_join, str_join
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
    from jinja2.utils import Namespace
    from markupsafe import Markup

    from configurator.quoting.render import bounds
    from configurator.quoting.render.loader import TenantLoader
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
        memory: how much the render may grow the process's resident memory (bytes; read from
            ``/proc/self/statm``, elsewhere from the peak resident size; not enforced where neither exists).
    """

    iterations: int = 100_000
    string: int = 100_000
    integer: int = 1_000_000
    output: int = 5_000_000
    seconds: float = 5.0
    memory: int = 256 * 2**20


def _statm() -> int | None:
    """The process's resident memory now (bytes), from ``/proc/self/statm``."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:
        return None
    try:
        return int(os.read(fd, 256).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None
    finally:
        os.close(fd)


def _peak() -> int | None:
    """The process's peak resident memory (bytes), where ``/proc`` is missing: it grows when a render grows."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_resident: Callable[[], int | None] = _statm if _statm() is not None else _peak


@dataclasses.dataclass
class _Budget:
    limits: Limits
    deadline: float
    memory: int | None = dataclasses.field(default_factory=lambda: _resident())
    iterations: int = 0
    ticks: int = 0

    def tick(self, steps: int = 0) -> None:
        self.iterations += steps
        if self.iterations > self.limits.iterations:
            raise SecurityError(f"more than {self.limits.iterations} loop iterations")
        self.ticks += 1
        # The clock is read every 8 operations and memory every 64 (about 3 us): as no operation may build more
        # than Limits.string, a render is stopped within milliseconds and megabytes of its limits.
        if not self.ticks & 7:
            if time.monotonic() > self.deadline:
                raise SecurityError(f"rendering took longer than {self.limits.seconds:g} s")
            if not self.ticks & 63:
                self.check_memory()

    def check_memory(self) -> None:
        now = _resident() if self.memory is not None else None
        if now is not None and self.memory is not None and now - self.memory > self.limits.memory:
            grown = (now - self.memory) // 2**20
            raise SecurityError(
                f"the render grew memory by {grown} MiB (limit {self.limits.memory // 2**20} MiB)"
            )


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("quote_budget", default=None)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    if budget is None:  # outside run_template (constants folded while compiling): default limits, afresh
        budget = _Budget(Limits(), time.monotonic() + Limits().seconds, memory=None)
    return budget


_SEQUENCES = (str, bytes, list, tuple)
_BITS = 4096
"""The largest integer (in bits) or decimal exponent an operator may build; a power is held to the same."""


def _check_value(value: Any, what: str) -> Any:
    if isinstance(value, _SEQUENCES):
        limit = _budget().limits.string
        if len(value) > limit:
            raise SecurityError(f"{what} would build {len(value)} items (limit {limit})")
    elif isinstance(value, int) and value.bit_length() > _BITS:
        raise SecurityError(f"{what} would build a {value.bit_length()}-bit integer (limit {_BITS})")
    elif isinstance(value, decimal.Decimal) and value.is_finite() and abs(value.adjusted()) > _BITS:
        raise SecurityError(f"{what} would build a number with exponent {value.adjusted()} (limit {_BITS})")
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


def _capped_filter(env: jinja2.Environment, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with the budget ticked, its arguments and the size of what it would build checked first."""
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0  # the context Jinja passes first

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.tick()
        _check_args(args, kwargs, f"filter {name!r}")
        rest, kwargs = bounds.check_filter(env, name, args[skip:], kwargs, budget.limits.string)
        return _check_value(func(*args[:skip], *rest, **kwargs), f"filter {name!r}")

    return wrapper


def _ticking_test(func: Callable[..., Any]) -> Callable[..., Any]:
    """A test (``in``, ``divisibleby``...) that ticks the budget: ``select('in', big)`` stays within time."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _budget().tick()
        return func(*args, **kwargs)

    return wrapper


def _sized(value: Any) -> Any:
    """An operand of ``~`` or an output (``{{ x }}``): a container whose text would pass the limit is refused."""
    if type(value) is not str and type(value) is not Markup:
        _budget().tick()
        bounds.check_text(value, _budget().limits.string, "writing a value")
    return value


@jinja2.pass_eval_context
def _concat(eval_ctx: jinja2.nodes.EvalContext, operands: list[Any]) -> str:
    """``a ~ b ~ ...``: the operands' text is measured first (a chain of big strings is refused unbuilt)."""
    budget = _budget()
    budget.tick()
    size = sum(bounds.text_size(operand, budget.limits.string) for operand in operands)
    if size > budget.limits.string:
        raise SecurityError(f"'~' would build about {size} characters (limit {budget.limits.string})")
    return markup_join(operands) if eval_ctx.autoescape else str_join(operands)


def _bounded_concat(parts: Iterable[str]) -> str:
    """The join of a captured block (a macro's, ``{% set %}``'s, ``{% filter %}``'s), within the output limit."""
    limit = _budget().limits.output
    if isinstance(parts, list):
        size = sum(map(len, parts))
    else:
        parts, size = list(parts), 0
        for part in parts:
            size += len(part)
    if size > limit:
        raise SecurityError(f"a block would build {size} characters (limit {limit})")
    return "".join(parts)


def _template_name(name: Any) -> Any:
    """A computed ``include``/``extends``/``import`` name: a string (or up to 16) of at most 255 characters."""
    names = name if isinstance(name, list | tuple) else [name]
    for one in names[:17]:
        if (isinstance(one, str) and len(one) > 255) or not isinstance(
            one, str | jinja2.Template | jinja2.Undefined
        ):
            raise SecurityError("a template name must be a string of at most 255 characters")
    if len(names) > 16:
        raise SecurityError(f"{len(names)} template names to choose from (limit 16)")
    return name


class _BoundedFormatting:
    """``str.format`` fields checked before they are written: widths, values and the running total."""

    left: int

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is not None:
            bounds.check_text(value, self.left, "a format field")
        return super().convert_field(value, conversion)  # type: ignore[misc]

    def format_field(self, value: Any, format_spec: str) -> Any:
        _budget().tick()
        bounds.check_spec(format_spec, self.left, "a format field")
        bounds.check_text(value, self.left, "a format field")
        text = super().format_field(value, format_spec)  # type: ignore[misc]
        self.left -= len(text)
        if self.left < 0:
            raise SecurityError(f"str.format() would build more than {_budget().limits.string} characters")
        return text


class _BoundedFormatter(_BoundedFormatting, SandboxedFormatter):
    pass


class _BoundedEscapeFormatter(_BoundedFormatting, SandboxedEscapeFormatter):
    pass


class Gettext:
    """The ``_()`` templates see: the quote's gettext (the sandbox calls it without Jinja's generic checks).

    What a render may make it hold is bounded by :attr:`Limits.string`: the message with its values filled in,
    and all the distinct messages asked for (each one it does not know is kept as a fallback warning).

    Example:
        >>> _ = Gettext(lambda msgid, **values: msgid % values if values else msgid)
        >>> _("%(x)s!", x="hi")
        'hi!'
        >>> _("%(x)s" * 1000, x="y" * 1000)
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: _() would fill in about 1005000 characters (limit 100000)
    """

    __slots__ = ("_asked", "_gettext", "_held")

    def __init__(self, gettext: Callable[..., str]) -> None:
        self._gettext = gettext
        self._asked: set[str] = set()
        self._held = 0

    def __call__(self, msgid: str, /, **values: Any) -> str:
        """The translation of ``msgid`` with ``values`` filled in."""
        limit = _budget().limits.string
        if msgid not in self._asked:
            self._held += len(msgid) + 16
            if self._held > limit:
                raise SecurityError(f"_() was asked for more than {limit} characters of distinct messages")
            self._asked.add(msgid)
        if values:
            text = self._gettext(msgid)
            longest = max(bounds.text_size(v, limit) for v in values.values())
            size = len(text) + text.count("%") * longest
            if size > limit:
                raise SecurityError(f"_() would fill in about {size} characters (limit {limit})")
        return self._gettext(msgid, **values)


class _QuoteSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox plus resource limits (see :class:`Limits`)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    concat = staticmethod(_bounded_concat)

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
            finalize=_sized,
        )
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["range"] = _capped_range
        self.globals["namespace"] = _CappedNamespace
        self.filters = {name: _capped_filter(self, name, f) for name, f in self.filters.items()}
        self.filters["_loop_guard"] = _loop_guard
        self.filters["_concat"] = _concat
        self.filters["_template_name"] = _template_name
        tests: dict[str, Any] = dict(self.tests)
        self.tests = {name: _ticking_test(test) for name, test in tests.items()}

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
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() + right.bit_length() > _BITS
            ):
                raise SecurityError(
                    f"a product of {left.bit_length() + right.bit_length()} bits is too large"
                )
        if operator == "%":
            bounds.check_printf(left, right, limits.string)
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
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, str | bytes | bytearray):
            name = getattr(obj, "__name__", "")
            args, kwargs = bounds.check_method(owner, name, args, kwargs, budget.limits.string)
        return _check_value(super().call(context, obj, *args, **kwargs), "a call")

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``item.key`` on the view's plain dicts looks the key up first (Jinja tries the attribute first)."""
        _budget().tick()
        if type(obj) is dict and attribute in obj and not attribute.startswith("_"):
            return obj[attribute]
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``obj[argument]``, ticking the budget (``groupby`` and ``sort`` look up once per item)."""
        _budget().tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format``/``format_map`` (and Markup's) with every field checked before it is written."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text: str = value.__self__
        is_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs = args[0]
                args = ()
            formatter: _BoundedFormatter | _BoundedEscapeFormatter
            if isinstance(text, Markup):
                formatter = _BoundedEscapeFormatter(self, escape=text.escape)
            else:
                formatter = _BoundedFormatter(self)
            formatter.left = _budget().limits.string
            return type(text)(formatter.vformat(text, args, kwargs))

        return functools.update_wrapper(wrapper, value)

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        """Parse, then route loops, ``~`` operands and computed template names through their checks.

        Every loop's iterable goes through the step counter (nested loops over data too), every ``~`` operand
        through the size check, every computed ``include``/``extends``/``import`` name through its check.
        """
        tree = super()._parse(source, name, filename)
        for loop in list(tree.find_all(jinja2.nodes.For)):
            loop.iter = _wrap(loop.iter, "_loop_guard")
        for concat in list(tree.find_all(jinja2.nodes.Concat)):
            concat.nodes = [_wrap(jinja2.nodes.List(concat.nodes, lineno=concat.lineno), "_concat")]
        named = (jinja2.nodes.Include, jinja2.nodes.Extends, jinja2.nodes.Import, jinja2.nodes.FromImport)
        for node in list(tree.find_all(named)):
            template: Any = node.template  # type: ignore[attr-defined]
            if not isinstance(template, jinja2.nodes.Const):
                node.template = _wrap(template, "_template_name")  # type: ignore[attr-defined]
        return tree


def _wrap(node: Any, name: str) -> jinja2.nodes.Expr:
    return jinja2.nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


@functools.lru_cache(maxsize=64)
def environment(folders: tuple[str, ...]) -> jinja2.Environment:
    """The sandbox loading from ``folders`` first, then the defaults (also as ``default/...``); one per folders."""
    default = jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = [TenantLoader(folders)] if folders else []
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
        for chunk in chunks:  # a chunk may be a literal of the template (up to 128 KiB), repeated by a loop
            size += len(chunk)
            if size > limits.output:
                raise TemplateSecurityError(name, 0, f"output longer than {limits.output} characters")
            parts.append(chunk)
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
