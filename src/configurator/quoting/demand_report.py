"""The demand report as one self-contained HTML page: tables and static SVG charts (matplotlib), no external files.

The analysis is :mod:`configurator.assembly.analytics`; this module draws it. Charts are drawn with matplotlib's
SVG backend (no display, no ``pyplot`` state) and inlined in the page, which a Jinja2 template with autoescaping
renders (Jinja2 stays inside the quoting and web packages). The page names no external resource: no scripts,
style sheets, fonts or links; the SVGs lose their XML prologue and namespace declarations, which inline SVG in
HTML does not need. Needs the ``analytics`` extra (``pip install 'configurator[analytics]'``).

Example:
    >>> from configurator.assembly.analytics import demand_report
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> catalog = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}}}}})
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> page = render_html(demand_report(SqlStore(engine, "shop"), catalog))
    >>> page.startswith("<!DOCTYPE html>"), "<svg" in page, "frame.alu" in page
    (True, False, True)
"""

from __future__ import annotations

import dataclasses
import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from configurator.assembly.analytics import DemandReport

__all__ = ["Chart", "charts", "render_html"]

TOP = 20
"""Most bars in a chart of options (the tables list them all)."""


@dataclasses.dataclass(frozen=True)
class Chart:
    """One chart of the report: its title and its SVG markup (inline, no prologue)."""

    title: str
    svg: str


def _figure(rows: int) -> Any:
    try:
        from matplotlib.figure import Figure
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
        raise ModuleNotFoundError(
            f"the demand report's charts need {exc.name!r}: pip install 'configurator[analytics]'",
            name=exc.name,
        ) from exc
    return Figure(figsize=(8, 1.2 + 0.32 * max(rows, 2)), layout="constrained")


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _svg(fig: Any) -> str:
    """The figure as inline SVG: text kept as text, no prologue, namespace declarations or metadata."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(
            buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
        )
    text = _PROLOGUE.sub("", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text)
    head, _, body = text.partition(">")
    return _NAMESPACES.sub("", head) + ">" + body


def _stacked(frame: pl.DataFrame, by: str, title: str) -> Chart | None:
    """Horizontal bars of the options most in demand, stacked by ``by`` (tier or channel)."""
    import polars as pl

    if frame.is_empty():
        return None
    totals = (
        frame.group_by("option")
        .agg(pl.col("demand").sum())
        .sort(["demand", "option"], descending=[True, False])
    )
    options = totals["option"].head(TOP).to_list()[::-1]
    fig = _figure(len(options))
    ax = fig.subplots()
    left = [0] * len(options)
    for group in sorted(frame[by].unique().to_list()):
        counts = dict(frame.filter(pl.col(by) == group).select("option", "demand").iter_rows())
        values = [int(counts.get(o, 0)) for o in options]
        ax.barh(options, values, left=left, label=str(group))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("mentions")
    ax.legend(title=by, loc="lower right", fontsize="small")
    return Chart(title, _svg(fig))


def _bars(
    labels: list[str], values: list[int], title: str, xlabel: str, extra: list[int] | None = None
) -> Chart | None:
    if not labels:
        return None
    labels, values = labels[:TOP][::-1], values[:TOP][::-1]
    fig = _figure(len(labels))
    ax = fig.subplots()
    ax.barh(labels, values, label=xlabel)
    if extra is not None:
        ax.barh(labels, extra[:TOP][::-1], height=0.4, label="repaired next time")
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xlabel(xlabel)
    return Chart(title, _svg(fig))


def charts(report: DemandReport) -> list[Chart]:
    """The report's charts that have data: demand per module, per option by tier and by channel, ruled out, conflicts.

    Returns:
        The charts, in the report's order.
    """
    modules = report.module_demand().sort(["demand", "module"], descending=[True, False])
    ruled = report.ruled_out()
    conflicts = report.conflicts()
    drawn = [
        _bars(
            modules["module"].to_list(),
            modules["demand"].to_list(),
            "Demand per module",
            "mentions",
        ),
        _stacked(report.split("tier"), "tier", "Demand per option, by value tier"),
        _stacked(report.split("channel"), "channel", "Demand per option, by channel"),
        _bars(
            [f"{o} ({r})" for o, r in ruled.select("option", "rule_id").iter_rows()],
            ruled["times"].to_list(),
            "Options demanded but ruled out (rule)",
            "events",
        ),
        _bars(
            conflicts["rule_id"].to_list(),
            conflicts["hits"].to_list(),
            "Conflicts customers hit most",
            "configurations",
            extra=conflicts["repaired"].to_list(),
        ),
    ]
    return [c for c in drawn if c is not None]


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Demand for {{ r.catalog }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 60rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 2rem; } figure svg { max-width: 100%; height: auto; }
.none { color: #777; }
</style>
</head>
<body>
<h1>Demand for {{ r.catalog }}</h1>
<p>Tenant {{ r.tenant }}{% if r.since %}, events since {{ r.since }}{% endif %}: {{ r.events }} events from
{{ r.customers }} customers chose or stated options of this catalog.</p>
{% for chart in charts %}
<figure><figcaption>{{ chart.title }}</figcaption>{{ chart.svg }}</figure>
{% endfor %}
{% for table in tables %}
<h2>{{ table.title }}</h2>
{% if table.rows %}
<table>
<thead><tr>{% for c in table.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in table.rows %}<tr>{% for v in row %}<td{% if v is number %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% else %}<p class="none">none</p>{% endif %}
{% endfor %}
<h2>Options never chosen ({{ never | length }} of {{ r.options | length }})</h2>
{% if never %}<p>{{ never | join(", ") }}</p>{% else %}<p class="none">none</p>{% endif %}
</body>
</html>
"""


def _table(title: str, frame: pl.DataFrame) -> dict[str, Any]:
    return {"title": title, "columns": frame.columns, "rows": frame.rows()}


def render_html(report: DemandReport) -> str:
    """The report as one self-contained HTML page (tables, inline SVG charts, no external resources)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    tables = [
        _table("Demand per option", report.option_demand()),
        _table("Demand per module", report.module_demand()),
        _table("Options demanded but ruled out", report.ruled_out()),
        _table("Options no longer in the catalog", report.unknown_options()),
        _table("Conflicts customers hit most", report.conflicts()),
        _table("Repairs customers took", report.repairs()),
    ]
    # The SVG markup is drawn here by matplotlib (its texts escaped by its XML writer), so it is trusted markup.
    drawn = [Chart(c.title, Markup(c.svg)) for c in charts(report)]
    env = ImmutableSandboxedEnvironment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(_TEMPLATE).render(
        r=report, charts=drawn, tables=tables, never=report.never_chosen()
    )
