"""Charts as server-side SVG: pure functions of (labels, numbers, texts) returning markup, no JavaScript
and nothing fetched by the browser. Every chart:

- scales to its container (``viewBox``, ``width="100%"``), so one drawing serves a laptop and a phone;
- is an image for assistive technology (``role="img"``, ``<title>`` and ``<desc>`` referenced by
  ``aria-labelledby``) and each bar, point or slice has its own ``<title>`` (label and value, shown on
  hover);
- escapes every text it is given (labels come from tenants' data);
- draws an empty frame with ``empty_text`` when there is nothing to show.

The texts are the caller's (already in the reader's language). The numbers stay exact in the tables the
pages print under each chart; a chart only has to be readable. Axis maxima are rounded up to a "nice"
number (1, 2, 2.5, 5 × 10^k) by :func:`nice_max`, and bar lengths are proportional to the values on
that axis.
"""
from __future__ import annotations

import hashlib
import math
from typing import Iterable, Sequence

from markupsafe import Markup, escape

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FONT = "font-family=\"'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif\""
WIDTH = 480
LABEL_CHARS = 8  # longer labels are cut with "…" on the axis (the full label is in the bar's <title>)


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k that is >= ``value`` (1 for nothing or less)."""
    if value is None or value <= 0 or math.isnan(value):
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10 ** exponent
        if candidate >= value * (1 - 1e-12):
            return int(candidate) if float(candidate).is_integer() else candidate
    return 10 ** (exponent + 1)  # not reached


def ticks(top: float, count: int | None = None, integers: bool = False) -> list[float]:
    """Evenly spaced axis values from 0 to ``top``: for a :func:`nice_max` top, steps that are nice too
    (5 → 0, 1, … 5; 2 → 0, 0.5, … 2; 25 → 0, 5, … 25); ``integers`` (counts): no step below 1 (2 → 0,
    1, 2); ``count`` forces the number of steps."""
    if count is None and integers and top <= 5 and float(top).is_integer():
        count = max(1, int(top))
    if count is None:
        mantissa = top / 10 ** math.floor(math.log10(top)) if top > 0 else 1
        count = 4 if abs(mantissa - 2) < 1e-9 else 5
    return [top * i / count for i in range(count + 1)]


def number(value: float | None, percent: bool = False) -> str:
    """A value as printed on a chart: integers without decimals, others with one; ``percent``: ``87.5%``."""
    if value is None:
        return "—"
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text + "%" if percent else text


def short(label: str, limit: int = LABEL_CHARS) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _integral(values) -> bool:
    return all(float(v).is_integer() for v in values)


def _id(kind: str, title: str, data) -> str:
    return f"chart-{kind}-" + hashlib.sha1(repr((title, data)).encode("utf-8")).hexdigest()[:10]


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(kind: str, title: str, desc: str, height: float, body: Iterable[str], data) -> Markup:
    cid = _id(kind, title, data)
    parts = [f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {_f(height)}" width="100%" role="img" '
             f'aria-labelledby="{cid}-t {cid}-d" preserveAspectRatio="xMidYMid meet" {FONT} font-size="15">',
             f'<title id="{cid}-t">{escape(title)}</title>', f'<desc id="{cid}-d">{escape(desc)}</desc>', *body, "</svg>"]
    return Markup("".join(parts))


def _empty(kind: str, title: str, empty_text: str) -> Markup:
    body = [f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="119" fill="#fafafa" stroke="#ddd"/>',
            f'<text x="{WIDTH / 2}" y="66" text-anchor="middle" fill="#777" class="chart-empty">{escape(empty_text)}</text>']
    return _svg(kind, title, empty_text, 120, body, ())


def _description(items: Sequence[tuple[str, float]], percent: bool) -> str:
    return "；".join(f"{label}：{number(value, percent)}" for label, value in items)


def _legend(names: Sequence[str], y: float) -> list[str]:
    out, x = [], 8.0
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<g class="legend-item"><rect x="{_f(x)}" y="{_f(y - 11)}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{_f(x + 17)}" y="{_f(y)}">{escape(short(name, 12))}</text></g>')
        x += 17 + 14 * min(len(str(name)), 12) * 0.9 + 18
    return out


# ---------------------------------------------------------------- bars

def bar_chart(items: Sequence[tuple[str, float]], *, title: str, empty_text: str = "暂无数据",
              horizontal: bool = True, percent: bool = False, top: float | None = None) -> Markup:
    """One bar per (label, value). ``horizontal`` (the default) suits long Chinese labels and narrow
    screens; vertical bars suit a few short labels (months, grades). ``top``: a fixed axis maximum
    (100 for percentages), else :func:`nice_max` of the largest value."""
    items = [(str(label), float(value or 0)) for label, value in items]
    if not items:
        return _empty("bar", title, empty_text)
    axis = top if top is not None else nice_max(max(v for _, v in items))
    desc = _description(items, percent)
    return (_horizontal_bars if horizontal else _vertical_bars)(items, title, desc, axis, percent)


def _horizontal_bars(items, title, desc, axis, percent) -> Markup:
    left, right, top_pad, row = 130.0, 60.0, 24.0, 30.0
    plot = WIDTH - left - right
    height = top_pad + row * len(items) + 28
    body = []
    for t in ticks(axis, integers=_integral(v for _, v in items)):
        x = left + plot * t / axis
        body.append(f'<line x1="{_f(x)}" y1="{_f(top_pad - 6)}" x2="{_f(x)}" y2="{_f(height - 24)}" stroke="#e5e5e5"/>'
                    f'<text x="{_f(x)}" y="{_f(height - 8)}" text-anchor="middle" fill="#666" font-size="12" class="tick">'
                    f'{number(t, percent)}</text>')
    for i, (label, value) in enumerate(items):
        y = top_pad + row * i
        length = plot * min(value, axis) / axis
        body.append(
            f'<g class="bar" data-label="{escape(label)}" data-value="{number(value)}">'
            f'<title>{escape(label)}：{number(value, percent)}</title>'
            f'<text x="{_f(left - 8)}" y="{_f(y + 19)}" text-anchor="end">{escape(short(label))}</text>'
            f'<rect x="{_f(left)}" y="{_f(y + 5)}" width="{_f(length)}" height="20" fill="{PALETTE[0]}"/>'
            f'<text x="{_f(left + length + 6)}" y="{_f(y + 20)}" fill="#333">{number(value, percent)}</text></g>')
    return _svg("bar", title, desc, height, body, (items, axis))


def _vertical_bars(items, title, desc, axis, percent) -> Markup:
    left, right, top_pad, bottom = 44.0, 12.0, 24.0, 40.0
    height = 260.0
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    slot = plot_w / len(items)
    bar_w = min(slot * 0.6, 60)
    body = _y_axis(axis, left, top_pad, plot_h, percent, _integral(v for _, v in items))
    for i, (label, value) in enumerate(items):
        h = plot_h * min(value, axis) / axis
        x = left + slot * i + (slot - bar_w) / 2
        y = top_pad + plot_h - h
        body.append(
            f'<g class="bar" data-label="{escape(label)}" data-value="{number(value)}">'
            f'<title>{escape(label)}：{number(value, percent)}</title>'
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar_w)}" height="{_f(h)}" fill="{PALETTE[0]}"/>'
            f'<text x="{_f(x + bar_w / 2)}" y="{_f(y - 5)}" text-anchor="middle" fill="#333">{number(value, percent)}</text>'
            f'<text x="{_f(left + slot * i + slot / 2)}" y="{_f(height - bottom + 20)}" text-anchor="middle">'
            f'{escape(short(label, max(2, int(slot // 14))))}</text></g>')
    return _svg("bar", title, desc, height, body, (items, axis, "v"))


def _y_axis(axis, left, top_pad, plot_h, percent, integers=False) -> list[str]:
    out = []
    for t in ticks(axis, integers=integers):
        y = top_pad + plot_h - plot_h * t / axis
        out.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{WIDTH - 12}" y2="{_f(y)}" stroke="#e5e5e5"/>'
                   f'<text x="{_f(left - 6)}" y="{_f(y + 4)}" text-anchor="end" fill="#666" font-size="12" class="tick">'
                   f'{number(t, percent)}</text>')
    return out


def stacked_bar_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str,
                      empty_text: str = "暂无数据") -> Markup:
    """Vertical bars per category, each made of the series' values stacked (in the series' order, the
    first at the bottom), with a legend. The axis is :func:`nice_max` of the largest total."""
    categories = [str(c) for c in categories]
    series = [(str(name), [float(v or 0) for v in values]) for name, values in series]
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    if not categories or not series or not any(totals):
        return _empty("stacked", title, empty_text)
    axis = nice_max(max(totals))
    left, right, top_pad, bottom = 44.0, 12.0, 40.0, 40.0
    height = 280.0
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    slot = plot_w / len(categories)
    bar_w = min(slot * 0.6, 60)
    body = _legend([name for name, _ in series], 18) + _y_axis(axis, left, top_pad, plot_h, False, _integral(totals))
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        base = top_pad + plot_h
        body.append(f'<g class="stack" data-label="{escape(category)}" data-value="{number(totals[i])}">')
        for k, (name, values) in enumerate(series):
            h = plot_h * values[i] / axis
            base -= h
            body.append(f'<rect class="segment" x="{_f(x)}" y="{_f(base)}" width="{_f(bar_w)}" height="{_f(h)}" '
                        f'fill="{PALETTE[k % len(PALETTE)]}" data-value="{number(values[i])}">'
                        f'<title>{escape(category)} · {escape(name)}：{number(values[i])}</title></rect>')
        body.append(f'<text x="{_f(x + bar_w / 2)}" y="{_f(base - 5)}" text-anchor="middle" fill="#333">'
                    f'{number(totals[i])}</text>'
                    f'<text x="{_f(left + slot * i + slot / 2)}" y="{_f(height - bottom + 20)}" text-anchor="middle">'
                    f'{escape(short(category, max(2, int(slot // 14))))}</text></g>')
    desc = "；".join(f"{c}：" + "，".join(f"{n} {number(v[i])}" for n, v in series) for i, c in enumerate(categories))
    return _svg("stacked", title, desc, height, body, (categories, series))


# ---------------------------------------------------------------- lines

def line_chart(x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str,
               empty_text: str = "暂无数据", percent: bool = False, top: float | None = None) -> Markup:
    """A time series per (name, values), one value per x label (None: no value, the line has a gap).
    ``top``: a fixed axis maximum (100 for rates in %)."""
    x_labels = [str(x) for x in x_labels]
    series = [(str(name), [None if v is None else float(v) for v in values]) for name, values in series]
    present = [v for _, values in series for v in values if v is not None]
    if not x_labels or not present:
        return _empty("line", title, empty_text)
    axis = top if top is not None else nice_max(max(present))
    left, right, top_pad, bottom = 48.0, 34.0, 40.0, 40.0
    height = 280.0
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    step = plot_w / max(len(x_labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (step * i if len(x_labels) > 1 else plot_w / 2)
        return x, top_pad + plot_h - plot_h * min(v, axis) / axis

    body = _legend([name for name, _ in series], 18) + _y_axis(axis, left, top_pad, plot_h, percent)
    every = max(1, math.ceil(len(x_labels) / 8))  # at most ~8 x labels on the axis
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            x, _ = xy(i, 0)
            body.append(f'<text x="{_f(x)}" y="{_f(height - bottom + 20)}" text-anchor="middle" fill="#444" class="tick">'
                        f'{escape(short(label, 7))}</text>')
    for k, (name, values) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        body.append(f'<g class="series" data-name="{escape(name)}">')
        for segment in _segments(values):
            points = " ".join("{},{}".format(*map(_f, xy(i, values[i]))) for i in segment)
            if len(segment) > 1:
                body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, v in enumerate(values):
            if v is None:
                continue
            x, y = xy(i, v)
            body.append(f'<circle class="point" cx="{_f(x)}" cy="{_f(y)}" r="4" fill="{colour}" data-value="{number(v)}">'
                        f'<title>{escape(name)} · {escape(x_labels[i])}：{number(v, percent)}</title></circle>')
        body.append("</g>")
    desc = "；".join(f"{n}：" + "，".join(f"{x_labels[i]} {number(v, percent)}" for i, v in enumerate(vals))
                    for n, vals in series)
    return _svg("line", title, desc, height, body, (x_labels, series, axis))


def _segments(values: Sequence[float | None]) -> list[list[int]]:
    """Runs of consecutive indexes with a value (a None breaks the line)."""
    out: list[list[int]] = []
    current: list[int] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append(i)
    if current:
        out.append(current)
    return out


# ---------------------------------------------------------------- donut

def donut_chart(items: Sequence[tuple[str, float]], *, title: str, empty_text: str = "暂无数据") -> Markup:
    """Shares of a whole: one slice per (label, value), legend with the values and shares."""
    items = [(str(label), float(value or 0)) for label, value in items if (value or 0) > 0]
    total = sum(v for _, v in items)
    if not items or total <= 0:
        return _empty("donut", title, empty_text)
    cx, cy, r, inner = 110.0, 110.0, 90.0, 52.0
    height = max(220.0, 30 + 26 * len(items))
    body, angle = [], -math.pi / 2
    for k, (label, value) in enumerate(items):
        share = value / total
        sweep = 2 * math.pi * share
        colour = PALETTE[k % len(PALETTE)]
        tip = f'<title>{escape(label)}：{number(value)}（{number(share * 100, True)}）</title>'
        if share >= 0.9999:
            body.append(f'<g class="slice" data-label="{escape(label)}" data-value="{number(value)}">{tip}'
                        f'<circle cx="{cx}" cy="{cy}" r="{(r + inner) / 2}" fill="none" stroke="{colour}" '
                        f'stroke-width="{r - inner}"/></g>')
        else:
            end = angle + sweep
            large = 1 if sweep > math.pi else 0
            p = [(cx + rad * math.cos(a), cy + rad * math.sin(a)) for rad, a in ((r, angle), (r, end), (inner, end), (inner, angle))]
            d = (f"M{_f(p[0][0])},{_f(p[0][1])} A{r},{r} 0 {large} 1 {_f(p[1][0])},{_f(p[1][1])} "
                 f"L{_f(p[2][0])},{_f(p[2][1])} A{inner},{inner} 0 {large} 0 {_f(p[3][0])},{_f(p[3][1])} Z")
            body.append(f'<g class="slice" data-label="{escape(label)}" data-value="{number(value)}">{tip}'
                        f'<path d="{d}" fill="{colour}"/></g>')
            angle = end
        y = 30 + 26 * k
        body.append(f'<rect x="240" y="{_f(y - 12)}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="258" y="{_f(y)}">{escape(short(label, 10))}  {number(value)}（{number(share * 100, True)}）</text>')
    body.append(f'<text x="{cx}" y="{cy + 6}" text-anchor="middle" font-size="22" font-weight="600" class="total">{number(total)}</text>')
    return _svg("donut", title, _description(items, False), height, body, items)
