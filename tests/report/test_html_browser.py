"""The HTML report in a real browser: headless Chromium (Debian's `chromium` package) loads it from
disk with the network off, logs no console message, fills the paged findings tables, and
takes a non-empty screenshot. Opt-in: skipped where /usr/bin/chromium is not installed."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed "
                                "(apt-get install -y chromium)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_html_renders_without_console_errors(chain, tmp_path):
    html = chain.files["html"]
    dom = chromium(tmp_path, "--dump-dom", html.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    # the script ran: the findings tables are filled and paged
    assert "page 1 of 1 · " in dom.stdout
    assert dom.stdout.count("<tr>") > html.read_text().count("<tr>")


def test_html_screenshot_is_not_empty(chain, tmp_path):
    shot = tmp_path / "report.png"
    res = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2400",
                   "--hide-scrollbars", chain.files["html"].resolve().as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    keep = Path(chain.root) / "reports" / "screenshot.png"
    shutil.copy(shot, keep)  # left beside the report for people to look at


def test_html_with_thirty_thousand_findings_pages_them(chain, tmp_path):
    import copy
    import json
    from govern.report.render import render_html
    report = json.loads(chain.files["json"].read_text())
    big = copy.deepcopy(report)
    one = big["findings"]["pii"][0]
    big["findings"]["pii"] = [dict(one, row=i, line=i + 1) for i in range(30000)]
    page = tmp_path / "big.html"
    page.write_text(render_html(big), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0
    assert [line for line in dom.stderr.splitlines() if ":CONSOLE" in line] == []
    assert "page 1 of 600 · 30000 finding(s)" in dom.stdout
