"""The inheritance deed (القسام الشرعي) as the court prints it, built from a stored heirs report
(never recomputed: the deed shows what the report answered). Pure: a dict in, a dict out; the
page is rendered by ``api.deed``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from agencies.inheritance.labels import label_ar

RULES_AR = {"iraq": "قانون الأحوال الشخصية رقم 188 لسنة 1959 وتعديلاته",
            "sunni": "الفقه السني (رأي الجمهور)", "jafari": "الفقه الجعفري (المدونة الجعفرية)"}
SCHOOL_AR = {"sunni": "سني: المذهب الحنفي (المادة 90)", "jafari": "جعفري"}
SOURCE_AR = {"hospital_certificate": "شهادة وفاة من المستشفى",
             "forensic_report": "تقرير الطب العدلي",
             "court_judgment": "حكم قضائي", "court_proof_of_death": "حجة وفاة",
             "consular_report": "تقرير قنصلي"}
QASSAM_NIZAMI = ("لا يشمل هذا القسام الأراضي الأميرية (أراضي الدولة الزراعية الممنوحة بحق "
                 "التصرف)، فهي تنتقل بالقسام النظامي وفق قواعدها الخاصة، لا بأحكام الميراث "
                 "الشرعية الواردة فيه.")


def _relations(line: dict[str, Any]) -> str:
    keys = line.get("relation_keys") or ([line["relation_key"]] if line.get("relation_key")
                                         else line.get("registry_relationships", []))
    return " و".join(label_ar(k) for k in keys) or "—"


def _heir_rows(lines: list[dict[str, Any]], tashih: int) -> list[dict[str, Any]]:
    rows = []
    for line in lines:
        if line.get("heir") and line.get("share") is not None:
            share = Fraction(line["share"])
            rows.append({"name": line["name"], "national_id": line["national_id"],
                         "relation": _relations(line), "share": line["share"],
                         "sihams": int(share * tashih),
                         "two": len(line.get("shares_by_relation") or {}) > 1})
    return rows


def build(report: dict[str, Any]) -> dict[str, Any]:
    """Everything the deed page shows, in the order it shows it."""
    shares = report.get("shares") or {}
    tashih = int(shares.get("tashih") or 1)
    lines = [*report["claimed_heirs"], *report["unclaimed_relatives"]]
    lines = [line for line in lines if line.get("found", True)]
    by_nid = {line["national_id"]: line for line in lines}
    classes = [{"relation": h["label_ar"], "count": h["count"], "share": h["share"],
                "sihams": h["sihams"], "per_head": h["sihams_per_head"]}
               for h in shares.get("heirs", {}).values()]
    bequests = []
    for stock, b in zip([s for s in report.get("stocks", []) if s["parent"] in ("son", "daughter")],
                        shares.get("bequests", []), strict=False):
        children = [{"name": by_nid[n]["name"] if n in by_nid else n, "national_id": n,
                     "share": by_nid.get(n, {}).get("bequest"),
                     "sihams": int(Fraction(by_nid[n]["bequest"]) * tashih)
                     if by_nid.get(n, {}).get("bequest") else None}
                    for n in stock["children"]]
        bequests.append({"parent": stock["name"], "relation": label_ar(stock["parent"]),
                         "as_if_alive": b["as_if_alive"], "share": b["share"],
                         "sihams": b["sihams"], "children": children})
    others = [{"name": line["name"], "national_id": line["national_id"],
               "relation": " و".join(label_ar(k) for k in line["registry_relationships"]) or "—",
               "reason": line.get("reason_ar") or line["reason"]}
              for line in lines if not line.get("heir")]
    return {
        "report": report, "tashih": tashih, "base": shares.get("base"),
        "rules": RULES_AR.get(report["rules"], report["rules"]),
        "school": SCHOOL_AR.get(report["school"], report["school"]),
        "deaths": [{**d, "source": SOURCE_AR.get(d["source_type"], d["source_type"])}
                   for d in report["death_records"]],
        "heirs": _heir_rows(lines, tashih), "classes": classes, "bequests": bequests,
        "held": shares.get("held", "0"), "held_sihams": shares.get("held_sihams", 0),
        "treasury": shares.get("treasury"), "treasury_sihams": shares.get("treasury_sihams", 0),
        "chained": [{**c, "name": by_nid.get(c["national_id"], {}).get("name", ""),
                     "relation": " و".join(label_ar(k) for k in c["relation_keys"]),
                     "heirs": [{**h, "relation": " و".join(label_ar(k) for k in h["relation_keys"])}
                               for h in c["heirs"]]}
                    for c in report.get("chained", [])],
        "others": others, "sources": shares.get("sources", []),
        "evidence": [{"name": line["name"], "national_id": line["national_id"],
                      "records": line.get("evidence", [])} for line in lines if line.get("heir")
                     or line.get("bequest")],
        "findings": report["findings"], "ready": report.get("ready_to_sign", False),
        "qassam_nizami": QASSAM_NIZAMI,
    }
