"""Plot the learning loop: acceptance and edits by purchase, learned vs baselines vs oracle, as an SVG by hand.

Reads the JSON object of ``configurator simulate --json`` (or what ``benchmarks/learning_loop.py`` hands over)
and writes one SVG with two panels: the share of first proposals accepted unchanged, and the mean edits, by
purchase, one line per system (the learned system bold, the oracle dashed), the learned system's 95 %
intervals as a band. Plain Python (no plotting library needed).

Run: ``.venv/bin/python benchmarks/plot_learning_loop.py simulate.json docs/img/learning-loop-ebike.svg``
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

COLOURS = {
    "learned": "#d62728",
    "defaults": "#7f7f7f",
    "most_popular": "#1f77b4",
    "repeat_last": "#2ca02c",
    "majority": "#9467bd",
    "oracle": "#000000",
}
"""One colour per system."""
WIDTH, HEIGHT, PANEL_W, PANEL_H, LEFT, TOP = 760, 330, 300, 220, 60, 50


def _series(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {"learned": data, **data.get("baselines", {}), "oracle": data.get("oracle", {})}


def _panel(
    x0: float, title: str, systems: Mapping[str, Mapping[str, Any]], measure: str, top: float
) -> list[str]:
    """One panel: axes, ticks, the learned system's interval band, one polyline per system."""
    purchases = max(len(s.get(measure, [])) for s in systems.values())
    step = PANEL_W / max(purchases - 1, 1)

    def x(i: int) -> float:
        return x0 + i * step

    def y(v: float) -> float:
        return TOP + PANEL_H - PANEL_H * max(0.0, min(v, top)) / top

    out = [
        f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 18}" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{x0}" y1="{TOP + PANEL_H}" x2="{x0 + PANEL_W}" y2="{TOP + PANEL_H}" stroke="#333"/>',
        f'<line x1="{x0}" y1="{TOP}" x2="{x0}" y2="{TOP + PANEL_H}" stroke="#333"/>',
    ]
    for k in range(5):
        v = top * k / 4
        label = f"{100 * v:.0f}%" if measure == "acceptance" else f"{v:.1f}"
        out.append(f'<line x1="{x0}" y1="{y(v)}" x2="{x0 + PANEL_W}" y2="{y(v)}" stroke="#eee"/>')
        out.append(f'<text x="{x0 - 6}" y="{y(v) + 4}" text-anchor="end" font-size="11">{label}</text>')
    for i in range(purchases):
        out.append(
            f'<text x="{x(i)}" y="{TOP + PANEL_H + 16}" text-anchor="middle" font-size="11">{i + 1}</text>'
        )
    out.append(
        f'<text x="{x0 + PANEL_W / 2}" y="{TOP + PANEL_H + 34}" text-anchor="middle" font-size="12">purchase</text>'
    )
    band = systems["learned"].get("intervals", {}).get(measure)
    if band:
        upper = " ".join(f"{x(i):.1f},{y(hi):.1f}" for i, (_, hi) in enumerate(band))
        lower = " ".join(f"{x(i):.1f},{y(lo):.1f}" for i, (lo, _) in reversed(list(enumerate(band))))
        out.append(f'<polygon points="{upper} {lower}" fill="{COLOURS["learned"]}" fill-opacity="0.15"/>')
    for name, series in systems.items():
        values: Sequence[float] = series.get(measure, [])
        if not values:
            continue
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        colour = COLOURS.get(name, "#17becf")
        width = 3 if name == "learned" else 1.6
        dash = ' stroke-dasharray="5,4"' if name == "oracle" else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}"{dash}/>'
        )
        out.extend(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3 if name == "learned" else 2}" fill="{colour}"/>'
            for i, v in enumerate(values)
        )
    return out


def svg(data: Mapping[str, Any], title: str = "") -> str:
    """The SVG text for one simulation's JSON object.

    Example:
        >>> data = {"acceptance": [0.0, 0.5], "edits": [3.0, 1.0], "oracle": {"acceptance": [1, 1], "edits": [0, 0]},
        ...         "baselines": {"defaults": {"acceptance": [0, 0], "edits": [9, 9]}}}
        >>> text = svg(data, "bike")
        >>> text.startswith("<svg") and text.count("<polyline") == 6
        True
    """
    systems = _series(data)
    top_edits = max(max(s.get("edits", [0]) or [0]) for s in systems.values()) or 1.0
    top_edits = float(int(top_edits) + 1)
    body = [
        *_panel(LEFT, "first proposal accepted unchanged", systems, "acceptance", 1.0),
        *_panel(LEFT + PANEL_W + 80, "mean edits (modules changed)", systems, "edits", top_edits),
    ]
    legend_y = HEIGHT - 22
    x = LEFT
    for name in systems:
        colour = COLOURS.get(name, "#17becf")
        dash = ' stroke-dasharray="5,4"' if name == "oracle" else ""
        body.append(
            f'<line x1="{x}" y1="{legend_y}" x2="{x + 22}" y2="{legend_y}" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        body.append(f'<text x="{x + 27}" y="{legend_y + 4}" font-size="12">{escape(name)}</text>')
        x += 40 + 7 * len(name)
    heading = escape(title or str(data.get("catalog", "")))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13">\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n'
        f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="14">{heading}</text>\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )


def write(data: Mapping[str, Any], path: Path, title: str = "") -> Path:
    """Write the SVG of one simulation to ``path`` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg(data, title), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """``plot_learning_loop.py DATA.json OUT.svg``: plot one ``configurator simulate --json`` object."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.splitlines()[-1] if __doc__ else "usage: DATA.json OUT.svg", file=sys.stderr)
        return 2
    data = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    print(write(data, Path(args[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
