"""The ministry's report as one self-contained HTML page: tables and inline-SVG bar charts
(no script, no network asset)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agencies.ration.reports import MonthRow, Summary

_W, _BAR, _GAP, _LABEL = 640, 18, 6, 170


def bar_chart(title: str, bars: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as an ``<svg>`` element; bar length is proportional to value."""
    top = max((v for _, v in bars), default=0) or 1
    height = 30 + len(bars) * (_BAR + _GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(bars):
        y = 26 + i * (_BAR + _GAP)
        width = int((_W - _LABEL - 60) * value / top)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="{_LABEL}" y="{y}" width="{width}" height="{_BAR}" '
                     'fill="#2b6cb0"/>')
        parts.append(f'<text x="{_LABEL + width + 4}" y="{y + 13}" font-size="12">{value}</text>')
    if not bars:
        parts.append('<text x="0" y="40" font-size="12">no data</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(rows: Sequence[Mapping[str, object]], columns: list[str]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(r.get(c, '')))}</td>" for c in columns)
                   + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _by_month(rows: list[MonthRow]) -> str:
    """Blocks by category (rows) and month (columns)."""
    months = sorted({r["month"] for r in rows})
    cats = sorted({r["category"] for r in rows})
    cell = {(r["category"], r["month"]): r["blocks"] for r in rows}
    head = "".join(f"<th>{escape(m)}</th>" for m in months)
    body = "".join(f"<tr><th>{escape(c)}</th>" + "".join(
        f"<td>{cell.get((c, m), '')}</td>" for m in months) + "</tr>" for c in cats)
    return f'<table id="blocks-by-month"><tr><th>category</th>{head}</tr>{body}</table>'


def render(report: Summary) -> str:
    gov = report["eligible_by_governorate"]
    blocked = report["blocked_by_reason"]
    by_month = report["blocks_by_month"]
    monthly: dict[str, int] = {}
    for r in by_month:
        monthly[r["month"]] = monthly.get(r["month"], 0) + r["blocks"]
    rounds = report["receipts_per_round"]
    states = report["complaints_by_state"]
    per_agent = report["complaints_per_agent"]
    sections = [
        ("Eligible persons by governorate · المستحقون حسب المحافظة",
         bar_chart("Eligible persons", [(r["governorate"], r["eligible_persons"]) for r in gov]),
         _table(gov, ["governorate", "eligible_persons", "eligible_households"])),
        ("Blocked by reason · المحجوبون حسب السبب",
         bar_chart("Blocked persons", [(r["reason"], r["persons"]) for r in blocked]),
         _table(blocked, ["reason", "persons", "households"])),
        ("Blocks by category and month · الحجب حسب الفئة والشهر",
         bar_chart("Blocks taking effect per month", sorted(monthly.items())),
         _by_month(by_month)),
        ("Receipts per round · الوصولات حسب الوجبة",
         bar_chart("Receipts", [(r["round"], r["receipts"]) for r in rounds]),
         _table(rounds, ["round", "receipts", "persons_served"])),
        ("Complaints by state · الشكاوى حسب الحالة",
         bar_chart("Complaints", [(r["state"], r["complaints"]) for r in states]),
         _table(states, ["state", "complaints"])),
        ("Complaints by agent and state · الشكاوى حسب الوكيل والحالة",
         bar_chart("Complaints", [(r["agent"], r["total"]) for r in per_agent]),
         _table(per_agent, ["agent", "total", "by_state"])),
        ("Complaints per item · الشكاوى حسب المادة", "",
         _table(report["complaints_per_item"], ["item", "total", "by_state"])),
    ]
    body = "".join(f"<section><h2>{escape(t)}</h2>{chart}{table}</section>"
                   for t, chart, table in sections)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Ration card report</title><style>body{font-family:sans-serif;margin:2em}"
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
            "padding:2px 8px}</style></head><body>"
            f"<h1>Ration card report — {escape(report['on'])}</h1>{body}</body></html>")
