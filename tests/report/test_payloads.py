"""Hostile data values never reach a report as markup or raw PII (issue 22 rows 2-3): labels,
languages, licences, a file name, baseline reasons with markup; a licence that is an email and a
label that is an SSN. Every format: HTML, Markdown, JSON (and its stored copy), dataset card,
SARIF, JUnit, GitHub annotations."""
from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.report.conftest import Chain

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
FILE = "<img src=x onerror=alert(3)>.jsonl"
PII = ["zanzibar.quokka77@plantedmail.com", "536-22-8147"]
RAW_MARKUP = re.compile(r"<script>alert|<img src=x|onerror=alert\(\d\)>")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    c = Chain(tmp_path_factory.mktemp("hostile"))
    rows = [{"text": f"ticket {i} about a late parcel", "label": XSS[i % 2],
             "lang": XSS[(i + 1) % 2], "license": XSS[i % 2]} for i in range(6)]
    rows += [{"text": "write to me at mara.lindqvist@example.org please", "label": PII[1],
              "lang": "en", "license": PII[0]}]
    (c.root / FILE).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    c.run("init")
    c.run("snapshot", "create", FILE, "--name", "hostile")
    c.outputs = {}
    for fmt in ("sarif", "junit", "github"):
        c.outputs[f"pii-{fmt}"] = c.run("scan", "pii", "hostile", "--workers", "1", "--format",
                                        fmt, expect=(0, 1)).stdout
    c.run("baseline", "accept", "hostile", "--type", "EMAIL_ADDRESS", "--reason", XSS[0],
          "--approver", XSS[1], "--expires", "2099-12-31")
    c.run("scan", "pii", "hostile", "--workers", "1", expect=(0, 1))
    for fmt in ("sarif", "junit", "github", "markdown"):
        c.outputs[f"gate-{fmt}"] = c.run("gate", "hostile", "--format", fmt, expect=(0, 1)).stdout
    res = c.run("report", "compliance", "hostile", "--out", "reports", "--json")
    c.files = {k: c.root / v if not v.startswith("/") else v
               for k, v in json.loads(res.output)["files"].items()}
    return c


def _text(path) -> str:
    from pathlib import Path
    return Path(path).read_text(encoding="utf-8")


def test_html_report_escapes_every_value_and_allows_only_its_own_script(hostile):
    html = _text(hostile.files["html"])
    assert not RAW_MARKUP.search(html), RAW_MARKUP.search(html).group()
    assert "&lt;img src=x onerror=alert(3)&gt;.jsonl" in html  # shown, as text
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    policy = html_lib.unescape(csp.group(1)) if csp else ""
    assert "default-src 'none'" in policy
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert scripts and all(
        base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() in allowed for s in scripts)


def test_markdown_report_and_dataset_card_escape_markup(hostile):
    for kind in ("md", "dataset_card"):
        text = re.sub(r"`[^`\n]*`", "", _text(hostile.files[kind]))  # code spans show text as is
        assert not RAW_MARKUP.search(text), (kind, RAW_MARKUP.search(text).group())


@pytest.mark.parametrize("kind", ["json", "md", "html", "dataset_card"])
def test_pii_in_descriptive_fields_is_masked_in_every_report_file(hostile, kind):
    text = _text(hostile.files[kind])
    for value in PII:
        assert value not in text, (kind, value)


def test_stored_report_copy_holds_no_raw_pii(hostile):
    for obj in (hostile.store_path / "objects").rglob("*"):
        if obj.is_file():
            data = obj.read_bytes()
            if data.startswith(b"{") and b'"report": "compliance"' in data:
                for value in PII:
                    assert value.encode() not in data


def test_ci_formats_parse_and_carry_no_markup_or_pii(hostile):
    for name, text in hostile.outputs.items():
        for value in PII:
            assert value not in text, name
        if name.endswith("sarif"):
            json.loads(text)
        elif name.endswith("junit"):
            ET.fromstring(text)  # well-formed: markup in names is escaped
            assert not RAW_MARKUP.search(text), name
        elif name.endswith("github"):
            for line in text.splitlines():
                assert not line or line.startswith("::") or not line.startswith(":"), line


def test_regression_and_compliance_html_templates_autoescape_whatever_their_name():
    from govern.evaluate.report import _env as regression_env
    from govern.report.render import _env as compliance_env
    for env, name in ((regression_env(), "regression.html.j2"),
                      (compliance_env(), "compliance.html.j2")):
        auto = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert auto, name
        page = env.get_template(name)
        assert "Content-Security-Policy" in (page.filename and open(page.filename).read())
        assert env.from_string("<title>{{ x }}</title>").render(x=XSS[0]) == \
            "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"
