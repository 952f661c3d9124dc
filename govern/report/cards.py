"""Cards built from a compliance report: a Hugging Face dataset card (README.md with a YAML
header) for the snapshot, and a governance section for each adapter's model card.

An adapter's own README.md is hashed into its govern-manifest.json, so editing it in place
would make `govern adapter verify` fail; the governed model card is written beside the report
(`<out>/model-cards/<adapter>/README.md`): the original card followed by the section.
"""
from __future__ import annotations

import re
from pathlib import Path

from govern.report.escape import md_code, md_escape
from govern.store.files import write_output

LANG_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")  # what the YAML header may list
LICENCE_ID = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,40}$")

SIZE = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]
TASKS = {"classification": ["text-classification"], "chat": ["text-generation"],
         "prompt-completion": ["text-generation"], "text": ["text-generation"]}


def size_category(n: int) -> str:
    return next((label for top, label in SIZE if n < top), "n>10M")


def _yaml_list(values: list[str]) -> str:
    import json
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def dataset_card(report: dict, report_file: str) -> str:
    """README.md for the snapshot, in the Hugging Face dataset card layout."""
    s, card = report["snapshot"], report["data_card"]
    langs = [v for v in (card.get("languages") or {}).get("values", {}) if LANG_CODE.match(v)]
    licences = [v for k, c in (card.get("licence_consent") or {}).items() if "licen" in k.lower()
                for v in c["values"]]
    licences = licences if all(LICENCE_ID.match(v) for v in licences) else []
    header = ["---", f"pretty_name: {_yaml_list([s['name'] or s['id'][:12]])[1:-1]}",
              f"size_categories: {_yaml_list([size_category(s['records'])])}",
              f"task_categories: {_yaml_list(TASKS.get(s['layout'], ['other']))}",
              "tags: [govern, governed-data]"]
    if langs:
        header.append(f"language: {_yaml_list(langs)}")
    header.append(f"license: {_yaml_list(licences)[1:-1] if len(licences) == 1 else 'other'}")
    header += ["govern:", f"  snapshot: {s['id']}", f"  manifest: {s['manifest']}",
               f"  compliance_report: {report_file}", f"  gate: {report['gate']['status']}", "---"]
    areas = report["summary"]["areas"]
    body = [f"# Dataset card: {s['name'] or s['id'][:12]}", "",
            f"A govern snapshot of {s['records']} records (layout {s['layout']}), content-addressed "
            f"as `{s['id']}`.", "", "## Sources", ""]
    body += [f"- {md_code(src['path'])} ({src['size']} bytes, sha256 `{src['sha256']}`)"
             for src in card["sources"]]
    body += ["", "## Fields", ""] + [f"- {md_code(k)}: {v}" for k, v in card["fields"].items()]
    if card.get("labels"):
        body += ["", "## Labels", ""] + [f"- {md_escape(k)}: {v}"
                                         for k, v in card["labels"]["values"].items()]
    body += ["", "## Lineage", ""] + [f"- `{n['id'][:12]}` {md_escape(n['name'] or '')}: "
                                      f"{n['operation']}, {n['count']} records"
                                      for n in card["lineage"]]
    body += ["", "## Governance", "", *[f"- {k}: {v}" for k, v in areas.items()],
             f"- PII findings by type: {report['pii'].get('by_type') or 'not scanned'}",
             f"- leaked records: {report['leakage'].get('leaked_records', 'not scanned')}",
             f"- full compliance report: `{report_file}`", ""]
    return "\n".join(header + [""] + body)


def governance_section(report: dict, adapter: dict, report_file: str) -> str:
    s = report["snapshot"]
    att = next((a for a in report["gate"]["attestations"]
                if a["digest"] == adapter["attestation"]), None)
    state = ("not found in the store" if att is None else
             f"{att['decision']}, signature verified" if att["verified"] else
             f"BROKEN: {att['error']}")
    regressions = report["evaluation"]["regressions"]
    lines = ["", "## Governance", "",
             f"- training data: snapshot `{s['id']}` ({s['name'] or 'unnamed'}, {s['records']} records)",
             f"- gate attestation: `{adapter['attestation']}` ({state})",
             f"- PII scan: {report['pii']['status']}; leakage scan: {report['leakage']['status']}; "
             f"validation: {report['validation']['status']}",
             f"- manifest digest: `{adapter['manifest_digest']}`; adapter files: "
             + ("re-hashed OK" if adapter.get("verified") else
                "not available" if adapter.get("verified") is None else
                f"BROKEN ({adapter.get('error')})")]
    lines += [f"- regression report `{g['digest'][:16]}`: {'pass' if g['passed'] else 'fail'}"
              for g in regressions] or ["- regression report: none recorded"]
    lines += [f"- compliance report: `{report_file}`", ""]
    return "\n".join(lines)


def write_model_cards(report: dict, out_dir: Path, report_file: str) -> list[Path]:
    """One governed model card per adapter; the adapter folder itself is left untouched."""
    paths = []
    for a in report["adapters"]:
        original = ""
        if a.get("folder") and (Path(a["folder"]) / "README.md").is_file():
            original = (Path(a["folder"]) / "README.md").read_text(encoding="utf-8").rstrip() + "\n"
        folder = Path(out_dir) / "model-cards" / a["weights_digest"][:16]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "README.md"
        write_output(path, (original or f"# LoRA adapter {a['weights_digest'][:16]}\n")
                     + governance_section(report, a, report_file))
        paths.append(path)
    return paths
