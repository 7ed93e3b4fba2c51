"""Hostile tenant templates: each is refused fast, with a message naming the template, and builds nothing big.

The corpus: operations that would build more than 1 GB if their size were checked only afterwards (each is
refused before it starts, in well under a second, with little memory traced), accumulation stopped by the
memory ceiling and the time budget, the known Jinja2 sandbox escapes, and tenant folders that try to reach files
outside themselves (symbolic links, FIFOs, oversized files, ``..``).
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from configurator.catalog.models import Catalog
from configurator.errors import QuoteTemplateError, TemplateSecurityError
from configurator.quoting.model import EXAMPLE, Quote
from configurator.quoting.render import Limits, render_quote
from configurator.quoting.render.loader import TEMPLATE_BYTES
from configurator.quoting.render.sandbox import environment, template_folders, template_source

CATALOG = Catalog.model_validate(
    {
        "catalog": "c",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {"frame": {"options": {"alu_m": {"label": "Alu"}}}},
    }
)
SECRET = "root:x:0:0:do-not-show"
"""What a file outside the tenant's folder holds: it must never appear in an error."""

B = "{% set b = 'x' * 100000 %}{% set l = [b] * 100000 %}"
"""A string at the limit and a list of 100,000 references to it (cheap: under 1 MB)."""


def render(folder: Path, source: str | None, limits: Limits | None = None) -> str:
    """Render ``source`` (None: as already written) as the tenant's text template in ``folder``."""
    if source is not None:
        folder.mkdir(exist_ok=True)
        (folder / "quote.txt.j2").write_text(source)
    out = render_quote(Quote.from_data(EXAMPLE), CATALOG, format="txt", templates=folder, limits=limits)
    return str(out.content)


def refused(
    folder: Path, source: str, limits: Limits | None = None, *, warm: bool = True
) -> tuple[QuoteTemplateError, float, int]:
    """The error ``source`` is refused with, the seconds the refusal took and the peak bytes traced in it.

    With ``warm``, the template is compiled (and refused) once first, then timed, then traced (tracing slows
    Python down several times): what is measured is the refusal, not the compiling (cached while the file is
    unchanged). Without it, one traced run gives both.
    """
    seconds = 0.0
    if warm:
        with pytest.raises(QuoteTemplateError):
            render(folder, source, limits)
        start = time.perf_counter()
        with pytest.raises(QuoteTemplateError):
            render(folder, None, limits)
        seconds = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(QuoteTemplateError) as err:
            render(folder, None if warm else source, limits)
        return err.value, seconds or time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- checked before they are built (each would build more than 1 GB unchecked) -----------------------------

PREBUILT = [
    ("str.replace", B + "{{ b.replace('x', b) }}", "str.replace"),
    ("replace filter", B + "{{ b|replace('x', b) }}", "filter 'replace'"),
    ("replace of ''", B + "{{ b.replace('', b) }}", "str.replace"),
    ("str.format width", "{{ '{:>999999999}'.format(1) }}", "width 999999999"),
    ("str.format nested width", "{{ '{:>{}}'.format(1, 999999) }}", "width 999999"),
    ("str.format precision", "{{ '{:.999999999f}'.format(1.5) }}", "too wide"),
    ("str.format repeated field", B + "{{ ('{0}' * 30000).format(b) }}", "str.format"),
    ("str.format_map", B + "{{ ('{a}' * 30000).format_map({'a': b}) }}", "str.format"),
    ("str.format !r", B + "{{ '{0!r}'.format(l) }}", "a format field"),
    ("% with a mapping", B + "{{ ('%(a)s' * 16000) % {'a': b} }}", "%-format"),
    ("format filter", B + "{{ ('%(a)s' * 16000)|format(a=b) }}", "%-format"),
    ("% width", "{{ '%999999999d' % 1 }}", "%-format"),
    ("join filter", B + "{{ l|join }}", "filter 'join'"),
    ("join filter attribute", B + "{% set d = [{'a': b}] * 100000 %}{{ d|join(attribute='a') }}", "join"),
    ("str.join", B + "{{ ''.join(l) }}", "str.join"),
    ("str.join separator", "{% set s = 'y' * 100000 %}{{ s.join(s) }}", "str.join"),
    ("expandtabs", "{{ ('\t' * 100000).expandtabs(100000) }}", "expandtabs"),
    ("center filter", "{{ 'x'|center(10**6) }}", "filter 'center'"),
    ("str.center", "{{ 'x'.center(999999) }}", "str.center"),
    ("str.ljust", "{{ 'x'.ljust(999999) }}", "str.ljust"),
    ("str.rjust", "{{ 'x'.rjust(999999) }}", "str.rjust"),
    ("str.zfill", "{{ 'x'.zfill(999999) }}", "str.zfill"),
    ("str.translate", B + "{{ b.translate({120: b}) }}", "str.translate"),
    ("indent", "{{ ('\n' * 100000)|indent(100000) }}", "filter 'indent'"),
    ("wordwrap", "{{ ('x' * 100000)|wordwrap(1, wrapstring='y' * 100000) }}", "filter 'wordwrap'"),
    ("urlize target", "{{ ('a.com ' * 16000)|urlize(target='x' * 100000) }}", "filter 'urlize'"),
    ("tojson indent", "{{ (range(100000)|list)|tojson(indent=100000) }}", "filter 'tojson'"),
    ("sum of lists", "{% set i = ['x'] * 100000 %}{{ ([i] * 100000)|sum(start=[]) }}", "filter 'sum'"),
    ("batch", "{{ [1]|batch(999999, 'x')|list }}", "filter 'batch'"),
    ("slice", "{{ [1]|slice(999999)|list }}", "filter 'slice'"),
    ("writing a list", B + "{{ l }}", "writing a value"),
    ("string filter", B + "{{ l|string }}", "filter 'string'"),
    ("pprint", B + "{{ l|pprint }}", "filter 'pprint'"),
    ("tojson", B + "{{ l|tojson }}", "filter 'tojson'"),
    ("~ a list", B + "{{ l ~ '' }}", "'~' would build"),
    ("~ chain", "{% set b = 'x' * 99999 %}{{ " + " ~ ".join(["b"] * 11000) + " }}", "'~' would build"),
    ("repetition", "{{ 'x' * 10**9 }}", "repeated"),
    ("list repetition", "{{ ['x'] * 10**9 }}", "repeated"),
    (
        "integer squaring",
        "{% set ns = namespace(x=2) %}{% set ns.x = ns.x ** 4000 %}"
        "{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
        "bits is too large",
    ),
    (
        "macro buffer",
        B + "{% macro m() %}{% for i in range(99999) %}{{ b }}{% endfor %}{% endmacro %}{{ m() }}",
        "a block",
    ),
    (
        "filter block",
        B + "{% filter length %}{% for i in range(99999) %}{{ b }}{% endfor %}{% endfilter %}",
        "a block",
    ),
    ("set block", B + "{% set s %}{% for i in range(99999) %}{{ b }}{% endfor %}{% endset %}", "a block"),
    (
        "literal text in a loop",
        "{% for i in range(99999) %}" + "x" * 100_000 + "{% endfor %}",
        "output longer than",
    ),
    ("include a list of names", B + "{% include l %}", "template name"),
    ("gettext values", "{% set b = 'x' * 99000 %}{{ _('%(x)s' * 16000, x=b) }}", "_() would fill in"),
    (
        "gettext messages",
        "{% for i in range(100000) %}{{ _(('x' * 99000) ~ i) }}{% endfor %}",
        "distinct messages",
    ),
]


@pytest.mark.parametrize(
    ("payload", "match"), [(p, m) for _, p, m in PREBUILT], ids=[i for i, _, _ in PREBUILT]
)
def test_oversized_operation_is_refused_before_it_is_built(tmp_path: Path, payload: str, match: str) -> None:
    """An operation that would build over 1 GB is refused by its size estimate, in well under a second, unbuilt."""
    err, seconds, peak = refused(tmp_path, payload)
    assert isinstance(err, TemplateSecurityError)
    assert match in str(err)
    assert err.template.endswith("quote.txt.j2")
    assert seconds < 0.5, f"refused after {seconds:.2f} s"
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB traced"


# --- what estimates cannot see: stopped by the memory ceiling and the time budget ------------------------


def test_memory_ceiling_stops_a_render_that_keeps_growing(tmp_path: Path) -> None:
    """Many distinct strings, each within the limit, stop once the render grew memory past Limits.memory."""
    payload = "{% set l = ['x' * 100000] * 2000 %}{{ l|map('upper')|list|length }}"
    # Not warmed: memory a first run freed would be reused unseen by the resident-size ceiling.
    err, seconds, peak = refused(tmp_path, payload, Limits(memory=32 * 2**20), warm=False)
    assert isinstance(err, TemplateSecurityError)
    assert "the render grew memory by" in str(err)
    assert seconds < 1.0
    assert peak < 128 * 2**20, f"{peak / 2**20:.0f} MiB traced"


def test_time_budget_stops_many_small_steps(tmp_path: Path) -> None:
    """A filter test run 10**10 times in all (``select('in', big)``) stops at the render's time budget."""
    payload = "{% set l = [-1] * 100000 %}{{ range(100000)|select('in', l)|list|length }}"
    err, seconds, _ = refused(tmp_path, payload, Limits(seconds=0.3))
    assert isinstance(err, TemplateSecurityError)
    assert "rendering took longer than 0.3 s" in str(err)
    assert seconds < 1.5


def test_ordinary_uses_of_the_checked_operations_still_work(tmp_path: Path) -> None:
    """Estimates let ordinary calls through: a bounded replace, widths, joins, printf and gettext values."""
    out = render(
        tmp_path,
        "{{ ('x' * 99000).replace('x', 'yy', 10)|length }} {{ '{:>4}|{:.2f}'.format('a', 1.5) }} "
        "{{ ', '.join(['a', 'b']) }} {{ ['c', 'd']|join('-') }} {{ '%(n)03d' % {'n': 7} }} "
        "{{ 'a\tb'.expandtabs(2) }} {{ 'x'|center(5) }}| {{ [1, 2]|sum }} {{ ([[1], [2]])|sum(start=[]) }} "
        "{{ _('Quote %(n)s', n='7') }} {{ 'a' ~ 1 ~ [2] }}",
    )
    assert out == "99010    a|1.50 a, b c-d 007 a b   x  | 3 [1, 2] Quote 7 a1[2]"


# --- the known sandbox escapes --------------------------------------------------------------------------

ESCAPES = [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", TemplateSecurityError, "__class__"),
    ("{{ cycler.__init__.__globals__ }}", TemplateSecurityError, "'__init__' of 'StrictUndefined'"),
    ("{{ joiner.__init__.__globals__ }}", TemplateSecurityError, "'__init__' of 'StrictUndefined'"),
    ("{{ self._TemplateReference__context }}", TemplateSecurityError, "_TemplateReference__context"),
    ("{{ lipsum.__globals__ }}", QuoteTemplateError, "'lipsum' is undefined"),
    ("{{ request }}", QuoteTemplateError, "'request' is undefined"),
    ("{{ config }}", QuoteTemplateError, "'config' is undefined"),
    ("{{ ''|attr('__class__') }}", TemplateSecurityError, "__class__"),
    ("{{ namespace.__init__ }}", TemplateSecurityError, "__init__"),
    ("{{ namespace.__init__.__globals__ }}", TemplateSecurityError, "__init__"),
    ("{{ '{0.__class__}'.format('') }}", TemplateSecurityError, "__class__"),
    ("{{ '{a.__class__.__mro__}'.format_map({'a': ''}) }}", TemplateSecurityError, "__class__"),
    ("{{ range.__globals__ }}", TemplateSecurityError, "__globals__"),
    ("{{ _.__call__.__globals__ }}", TemplateSecurityError, "__"),
    ("{{ _._gettext }}", TemplateSecurityError, "_gettext"),
    ("{{ quote['__class__'] }}", QuoteTemplateError, "__class__"),
    ("{% set x = lines.append(1) %}", TemplateSecurityError, "append"),
    ("{{ ().__class__.__base__.__subclasses__() }}", TemplateSecurityError, "__class__"),
    ("{{ self.__init__.__globals__ }}", TemplateSecurityError, "__init__"),
    ("{{ self.__dict__ }}", TemplateSecurityError, "__dict__"),
]


@pytest.mark.parametrize(("payload", "kind", "match"), ESCAPES, ids=[p for p, _, _ in ESCAPES])
def test_known_sandbox_escape_is_refused(
    tmp_path: Path, payload: str, kind: type[QuoteTemplateError], match: str
) -> None:
    """Each known Jinja2 sandbox escape stops with its expected error naming the template, the line and why."""
    with pytest.raises(kind) as err:
        render(tmp_path, payload)
    assert err.value.template.endswith("quote.txt.j2")
    assert match in str(err.value)


# --- tenant folders cannot reach outside ----------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the tenant's folder, holding a secret."""
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    return secret


def test_symlinked_template_is_refused_unread(tmp_path: Path, outside: Path) -> None:
    """A tenant template that is a symbolic link to a file outside is refused by name, its content never shown."""
    folder = tmp_path / "tenant"
    folder.mkdir()
    (folder / "quote.txt.j2").symlink_to(outside)
    with pytest.raises(TemplateSecurityError, match="is a symbolic link") as err:
        render_quote(Quote.from_data(EXAMPLE), CATALOG, format="txt", templates=folder)
    assert err.value.template == "quote.txt.j2"
    assert SECRET not in str(err.value)


@pytest.mark.parametrize(
    "include",
    ["{% include 'leak.j2' %}", "{% include 'sub/passwd' %}", "{% import 'leak.j2' as m %}"],
    ids=["linked file", "linked folder", "import"],
)
def test_include_through_a_symlink_is_refused(tmp_path: Path, outside: Path, include: str) -> None:
    """``{% include %}`` of a link (or of a file in a linked folder) is refused, the file outside never read."""
    folder = tmp_path / "tenant"
    folder.mkdir()
    (folder / "leak.j2").symlink_to(outside)
    (folder / "sub").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(TemplateSecurityError, match="is a symbolic link") as err:
        render(folder, "{{ quote.number }}\n" + include)
    assert SECRET not in str(err.value)


def test_link_inside_the_folder_is_refused_too(tmp_path: Path) -> None:
    """Any symbolic link in a tenant folder is refused, even one pointing inside it (no resolving races)."""
    (tmp_path / "part.j2").write_text("part")
    (tmp_path / "alias.j2").symlink_to(tmp_path / "part.j2")
    with pytest.raises(TemplateSecurityError, match=r"alias\.j2 is a symbolic link"):
        render(tmp_path, "{% include 'part.j2' %}{% include 'alias.j2' %}")


@pytest.mark.parametrize(
    "name",
    ["../outside/passwd", "/etc/passwd", "sub/../../outside/passwd"],
    ids=["..", "absolute", "nested .."],
)
def test_paths_out_of_the_folder_are_not_found(tmp_path: Path, outside: Path, name: str) -> None:
    """``..`` and absolute names stay in the folder: not found (never read), the name in the message."""
    with pytest.raises(QuoteTemplateError, match="TemplateNotFound") as err:
        render(tmp_path / "tenant", "{% include '" + name + "' %}")
    assert SECRET not in str(err.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_template_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO in the tenant folder is refused at once (never opened, so nothing blocks)."""
    os.mkfifo(tmp_path / "pipe.j2")
    start = time.perf_counter()
    with pytest.raises(TemplateSecurityError, match="not a regular file"):
        render(tmp_path, "{% include 'pipe.j2' %}")
    assert time.perf_counter() - start < 1.0


def test_oversized_template_is_refused(tmp_path: Path) -> None:
    """A template file over the size limit is refused by reading at most the limit, its size named."""
    (tmp_path / "big.j2").write_bytes(b"x" * (TEMPLATE_BYTES + 1))
    with pytest.raises(TemplateSecurityError, match=f"larger than {TEMPLATE_BYTES:,} bytes"):
        render(tmp_path, "{% include 'big.j2' %}")


def test_not_utf8_template_is_a_template_error(tmp_path: Path) -> None:
    """A template that is not UTF-8 text is a QuoteTemplateError naming it, not a crash."""
    (tmp_path / "bin.j2").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(QuoteTemplateError, match=r"bin\.j2 is not UTF-8 text"):
        render(tmp_path, "{% include 'bin.j2' %}")


def test_symlinked_style_sheet_is_refused(tmp_path: Path, outside: Path) -> None:
    """The PDF style sheet read through the loader refuses a link too (its content never returned)."""
    folder = tmp_path / "tenant"
    folder.mkdir()
    (folder / "quote.pdf.css").symlink_to(outside)
    folders = template_folders(folder)
    with pytest.raises(TemplateSecurityError, match="is a symbolic link"):
        template_source(environment(folders), "quote.pdf.css", folders)


def test_regular_tenant_files_and_default_fallback_still_load(tmp_path: Path) -> None:
    """Regular files in the folder and in its sub-folders load; names it lacks fall back to the defaults."""
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "head.j2").write_text("HEAD {{ quote.number }}")
    out = render(tmp_path, "{% include 'parts/head.j2' %}|{% include 'default/quote.txt.j2' %}")
    assert out.startswith("HEAD Q-2026-0001|")
    assert len(out) > 100
