"""Small static SVG line charts (no library, no script): a value per year, per series."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 520, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 150, 16, 28
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")

Series = dict[str, dict[int, float]]  # name -> {year: value}


def line_chart(title: str, series: Series, *, percent: bool = False,
               band: dict[int, tuple[float, float]] | None = None) -> str:
    """An SVG chart of `series` over the years; `band`, a shaded low-high range per year."""
    years = sorted({y for points in series.values() for y in points} | set(band or {}))
    values = [v for points in series.values() for v in points.values()]
    values += [v for pair in (band or {}).values() for v in pair]
    if not years or not values:
        return f'<figure class="chart"><figcaption>{escape(title)}: no data</figcaption></figure>'
    top = max(values) or 1.0
    x = _scale(years[0], years[-1], PAD_LEFT, WIDTH - PAD_RIGHT)
    y = _scale(0.0, top, HEIGHT - PAD_BOTTOM, PAD_TOP)
    parts = [_axes(years, top, x, y, percent)]
    if band:
        edge = [f"{x(yr):.1f},{y(band[yr][1]):.1f}" for yr in sorted(band)]
        edge += [f"{x(yr):.1f},{y(band[yr][0]):.1f}" for yr in sorted(band, reverse=True)]
        parts.append(f'<polygon class="band" points="{" ".join(edge)}"/>')
    for i, (name, points) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in sorted(points.items()))
        dots = "".join(f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                       f"<title>{escape(name)} {yr}: {_fmt(v, percent)}</title></circle>"
                       for yr, v in sorted(points.items()))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{path}"/>{dots}')
        legend_y = PAD_TOP + 14 * i + 8
        parts.append(f'<text x="{WIDTH - PAD_RIGHT + 10}" y="{legend_y}" fill="{colour}" '
                     f'font-size="11">{escape(name[:14])}</text>')
    return (f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{escape(title)}">{"".join(parts)}</svg>'
            f"<figcaption>{escape(title)}</figcaption></figure>")


def _scale(lo: float, hi: float, out_lo: float, out_hi: float):
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo) if hi != lo else (
        (out_lo + out_hi) / 2)


def _fmt(value: float, percent: bool) -> str:
    return f"{value:.0%}" if percent else f"{value:g}"


def _axes(years: list[int], top: float, x, y, percent: bool) -> str:
    base = HEIGHT - PAD_BOTTOM
    out = [f'<line class="axis" x1="{PAD_LEFT}" y1="{base}" x2="{WIDTH - PAD_RIGHT}" '
           f'y2="{base}"/>', f'<line class="axis" x1="{PAD_LEFT}" y1="{PAD_TOP}" '
           f'x2="{PAD_LEFT}" y2="{base}"/>']
    for yr in years:
        out.append(f'<text x="{x(yr):.1f}" y="{base + 16}" text-anchor="middle" '
                   f'font-size="11">{yr}</text>')
    for tick in (0.0, top / 2, top):
        out.append(f'<text x="{PAD_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                   f'font-size="11">{_fmt(tick, percent)}</text>')
    return "".join(out)
