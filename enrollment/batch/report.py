"""The report of an import job, computed from the database (so a resumed job reports the whole
job): counts by outcome, rejects by reason, duplicate clusters, review cases, timing and
throughput; written as ``report.json``, a one-page ``report.html`` with a histogram of fused
scores, and ``rejects.csv`` (one line per rejected record with its reason)."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.dedup import DuplicateCandidate
from models.import_intake import ImportFlag
from models.imports import ImportJob, ImportRecord
from models.person import LegacyId, Person

_HTML = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>Import {{ r.job_id }} ({{ r.register }})</title>
<style>body{font:14px sans-serif;max-width:60em;margin:2em auto}td,th{padding:2px 8px;
text-align:left}table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}</style>
<h1>Import job {{ r.job_id }}: {{ r.register }}</h1>
<p>{{ r.source }} &middot; {{ r.records }} records &middot; {{ r.status }}
&middot; {{ r.runs }} run(s) &middot; {{ "%.0f"|format(r.throughput.records_per_hour) }}
records/hour</p>
<h2>Outcomes</h2><table>{% for k, v in r.outcomes.items() %}<tr><th>{{ k }}</th>
<td>{{ v }}</td></tr>{% endfor %}</table>
<h2>Rejects by reason</h2><table>{% for k, v in r.rejects_by_reason.items() %}<tr>
<th>{{ k }}</th><td>{{ v }}</td></tr>{% else %}<tr><td>none</td></tr>{% endfor %}</table>
<h2>Duplicates</h2><p>{{ r.duplicate_clusters|length }} cluster(s) resolved to one person,
{{ r.review_cases|length }} open case(s) for an adjudicator.</p>
<h2>Fused scores of the best candidate</h2>
{% if png %}<img alt="histogram" src="data:image/png;base64,{{ png }}">{% endif %}
<p>{{ r.no_candidate }} record(s) had no candidate at all.</p>
<h2>Time</h2><table>{% for k, v in r.timing.items() %}<tr><th>{{ k }}</th>
<td>{{ "%.2f"|format(v) }}</td></tr>{% endfor %}</table></html>
"""


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite returns naive UTC


def _hours(job: ImportJob, rows: list[ImportRecord]) -> float:
    """Wall time of the job: per run, from its start to its last committed record."""
    starts = [_aware(datetime.fromisoformat(s)) for s in job.run_starts]
    total = 0.0
    for run, start in enumerate(starts, start=1):
        ends = [_aware(r.decided_at) for r in rows if r.run == run]
        if ends:
            total += max(0.0, (max(ends) - start).total_seconds())
    return total / 3600


def _clusters(session: Session, rows: list[ImportRecord]) -> list[dict[str, Any]]:
    by_person: dict[int, list[ImportRecord]] = defaultdict(list)
    for row in rows:
        if row.person_id is not None:
            by_person[row.person_id].append(row)
    out = []
    for pid, members in sorted(by_person.items()):
        pre_existing = not any(r.status == "issued" for r in members)
        if len(members) < 2 and not pre_existing:
            continue
        person = session.get(Person, pid)
        legacy = session.scalars(select(LegacyId).where(LegacyId.person_id == pid)).all()
        out.append({
            "national_id": person.national_id if person else None,
            "records": sorted(r.legacy_number or r.record_key for r in members),
            "matched_earlier_person": pre_existing,
            "legacy_ids": sorted(f"{x.register}:{x.number}" for x in legacy),
        })
    return out


def _cases(session: Session, rows: list[ImportRecord]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        if row.case_id is None:
            continue
        cands = session.execute(
            select(DuplicateCandidate.rank, DuplicateCandidate.llr, Person.national_id)
            .join(Person, Person.id == DuplicateCandidate.person_id)
            .where(DuplicateCandidate.case_id == row.case_id).order_by(DuplicateCandidate.rank)
        ).all()
        out.append({"case_id": row.case_id, "record": row.legacy_number,
                    "candidates": [{"national_id": n, "llr": round(llr, 3)}
                                   for _, llr, n in cands]})
    return out


def histogram_png(llrs: list[float]) -> str:
    """Base64 PNG of the histogram of the best candidates' biometric LLRs. (What an LLR decides
    depends on the gallery size and the packet kind: ``matching.posterior``; the decisions
    themselves are in the report's outcome counts.)"""
    if not llrs:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    lo, hi = min(*llrs, -10.0), max(*llrs, 30.0)
    ax.hist(llrs, bins=[lo + (hi - lo) * i / 40 for i in range(41)], color="#4a7")
    ax.axvline(0.0, color="grey", linestyle="--", label="LLR 0 (evidence neutral)")
    ax.set_xlabel("biometric LLR of the best candidate (higher = same person)")
    ax.set_ylabel("records")
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def build_report(session: Session, job: ImportJob) -> dict[str, Any]:
    rows = list(session.scalars(select(ImportRecord).where(ImportRecord.job_id == job.id)
                                .order_by(ImportRecord.id)))
    hours = _hours(job, rows)
    decided = [r for r in rows if r.status != "rejected"]
    llrs = [r.best_llr for r in decided if r.best_llr is not None]
    return {
        "job_id": job.id, "source": job.source, "register": job.register, "kind": job.kind,
        "status": job.status, "runs": len(job.run_starts), "records": len(rows),
        "records_in_source": job.total,
        "outcomes": dict(sorted(Counter(r.status for r in rows).items())),
        "rejects_by_reason": dict(sorted(Counter(r.reason for r in rows
                                                 if r.status == "rejected").items())),
        "duplicate_clusters": _clusters(session, rows),
        "review_cases": _cases(session, rows),
        "fused_llrs": [round(x, 3) for x in llrs],
        "no_candidate": len(decided) - len(llrs),
        "timing": {
            "wall_s": hours * 3600,
            "extract_s_total": sum(r.extract_s for r in rows),
            "search_s_total": sum(r.search_s for r in rows),
            "decide_s_total": sum(r.decide_s for r in rows),
            "extract_s_per_record": sum(r.extract_s for r in rows) / max(1, len(rows)),
            "search_s_per_record": sum(r.search_s for r in decided) / max(1, len(decided)),
        },
        "throughput": {"records_per_hour": len(rows) / hours if hours > 0 else 0.0},
        "held_for_clerk": sum(r.status == "held" for r in rows),
        "flags": dict(sorted(Counter(session.scalars(
            select(ImportFlag.code).where(ImportFlag.job_id == job.id))).items())),
    }


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_report(session: Session, job: ImportJob, out_dir: Path) -> dict[str, Any]:
    report = build_report(session, job)
    session.rollback()
    out_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(out_dir / "report.json",
                  json.dumps(report, indent=2, ensure_ascii=False).encode())
    html = Environment(autoescape=True).from_string(_HTML).render(
        r=report, png=histogram_png(report["fused_llrs"]))
    _atomic_write(out_dir / "report.html", html.encode())
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["record_key", "legacy_number", "reason", "detail"])
    for row in session.scalars(select(ImportRecord).where(ImportRecord.job_id == job.id,
                                                          ImportRecord.status == "rejected")
                               .order_by(ImportRecord.record_key)):
        writer.writerow([row.record_key, row.legacy_number or "", row.reason, row.detail or ""])
    session.rollback()
    _atomic_write(out_dir / "rejects.csv", buf.getvalue().encode())
    report["files"] = {n: str(out_dir / n) for n in ("report.json", "report.html",
                                                     "rejects.csv")}
    return report
