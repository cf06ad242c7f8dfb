"""The change report of an update: what an admin must see before trusting a new version."""

from __future__ import annotations

from typing import Any

from assistant.domain import Chunk

ASSESSMENT = ("automatable", "automation_risk")


def registry_changes(old: list[Chunk], new: list[Chunk]) -> dict[str, Any]:
    before = {c.registry.get("function_id", c.citation): c.registry for c in old if c.kind == "registry"}
    after = {c.registry.get("function_id", c.citation): c.registry for c in new if c.kind == "registry"}
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    edited, assessed, other = [], [], []
    for fid in sorted(set(before) & set(after)):
        b, a = before[fid], after[fid]
        if b.get("function_text") != a.get("function_text"):
            edited.append({"function_id": fid, "old": b.get("function_text"), "new": a.get("function_text")})
        if any(b.get(k) != a.get(k) for k in ASSESSMENT):
            assessed.append(
                {
                    "function_id": fid,
                    **{f"old_{k}": b.get(k) for k in ASSESSMENT},
                    **{f"new_{k}": a.get(k) for k in ASSESSMENT},
                }
            )
        ignored = {"function_text", "automation_rationale", *ASSESSMENT}
        changed = sorted(k for k in set(a) | set(b) if k not in ignored and a.get(k) != b.get(k))
        if changed:
            other.append({"function_id": fid, "fields": changed})
    return {
        "added": [
            {
                "function_id": f,
                "agency": after[f].get("agency"),
                "function_text": after[f].get("function_text"),
            }
            for f in added
        ],
        "removed": [
            {
                "function_id": f,
                "agency": before[f].get("agency"),
                "function_text": before[f].get("function_text"),
            }
            for f in removed
        ],
        "text_edited": edited,
        "assessment_changed": assessed,
        "other_changed": other,
    }


def act_changes(old: list[Chunk], new: list[Chunk]) -> dict[str, Any]:
    def articles(chunks: list[Chunk]) -> dict[tuple[str, str, str], str]:
        out: dict[tuple[str, str, str], str] = {}
        for c in sorted((c for c in chunks if c.kind == "act"), key=lambda c: c.chunk_id):
            key = (c.act_slug, c.citation, c.lang)
            out[key] = out.get(key, "") + c.text
        return out

    before, after = articles(old), articles(new)
    report: dict[str, Any] = {}
    for slug in sorted({k[0] for k in after} | {k[0] for k in before}):
        b = {k: v for k, v in before.items() if k[0] == slug}
        a = {k: v for k, v in after.items() if k[0] == slug}
        entry = {
            "articles_added": sorted(f"{k[1]}@{k[2]}" for k in set(a) - set(b)),
            "articles_removed": sorted(f"{k[1]}@{k[2]}" for k in set(b) - set(a)),
            "articles_changed": sorted(f"{k[1]}@{k[2]}" for k in set(a) & set(b) if a[k] != b[k]),
            "status": "new act" if not b else "amended",
        }
        if not b or any(entry[key] for key in ("articles_added", "articles_removed", "articles_changed")):
            report[slug] = entry
    return report


def summary(changes: dict[str, Any]) -> dict[str, int]:
    reg = changes.get("registry", {})
    return {
        "registry_added": len(reg.get("added", [])),
        "registry_removed": len(reg.get("removed", [])),
        "registry_text_edited": len(reg.get("text_edited", [])),
        "registry_assessment_changed": len(reg.get("assessment_changed", [])),
        "acts_changed": len(changes.get("acts", {})),
    }


def to_markdown(changes: dict[str, Any], version: str) -> str:
    reg = changes.get("registry", {})
    lines = [f"# Change report — index version {version}", ""]
    s = summary(changes)
    lines += [
        f"- functions added: {s['registry_added']}",
        f"- functions removed: {s['registry_removed']}",
        f"- function texts edited: {s['registry_text_edited']}",
        f"- automation assessments changed: {s['registry_assessment_changed']}",
        f"- acts added or amended: {s['acts_changed']}",
        f"- re-embedded items: {changes.get('reembedded', 0)}; payload-only updates: {changes.get('payload_only', 0)}",
        "",
    ]
    if reg.get("added"):
        lines += ["## Added", "", "| function_id | agency | function |", "|---|---|---|"]
        lines += [f"| {r['function_id']} | {r['agency']} | {r['function_text']} |" for r in reg["added"]] + [
            ""
        ]
    if reg.get("removed"):
        lines += ["## Removed", "", "| function_id | agency | function |", "|---|---|---|"]
        lines += [
            f"| {r['function_id']} | {r['agency']} | {r['function_text']} |" for r in reg["removed"]
        ] + [""]
    if reg.get("text_edited"):
        lines += ["## Text edited", "", "| function_id | old | new |", "|---|---|---|"]
        lines += [f"| {r['function_id']} | {r['old']} | {r['new']} |" for r in reg["text_edited"]] + [""]
    if reg.get("assessment_changed"):
        lines += ["## Automation assessment changed", "", "| function_id | old | new |", "|---|---|---|"]
        lines += [
            f"| {r['function_id']} | {r['old_automatable']} / {r['old_automation_risk']} | "
            f"{r['new_automatable']} / {r['new_automation_risk']} |"
            for r in reg["assessment_changed"]
        ] + [""]
    for slug, entry in changes.get("acts", {}).items():
        lines += [f"## Act {slug} ({entry['status']})", ""]
        for key in ("articles_added", "articles_changed", "articles_removed"):
            if entry[key]:
                lines.append(f"- {key.replace('_', ' ')}: {', '.join(entry[key])}")
        lines.append("")
    return "\n".join(lines)
