"""Escaping by construction for every rendered report.

HTML templates always autoescape, whatever their file name, and carry a Content-Security-Policy
that allows no script but the report's own (by hash). Markdown templates escape HTML and
Markdown control characters in every `{{ value }}`; a value meant for a code span goes through
the `code` filter instead, and text govern wrote itself through `trusted`.
"""
from __future__ import annotations

import base64
import hashlib
import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~])")  # what can start emphasis, links, tables, code


class Trusted(str):
    """Markdown govern built itself: printed as is."""


def md_escape(value) -> str:
    if value is None or isinstance(value, Trusted):
        return "" if value is None else value
    if not isinstance(value, str):
        return value
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"[\r\n\t]+", " ", text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value) -> Trusted:
    """A code span: backticks and line breaks in the value cannot end it."""
    text = re.sub(r"[\r\n]+", " ", "" if value is None else str(value)).replace("`", "'")
    return Trusted(f"`{text}`")


def html_env(package: str):
    import jinja2
    return jinja2.Environment(loader=jinja2.PackageLoader(package, "templates"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)


def markdown_env(package: str):
    import jinja2
    env = jinja2.Environment(loader=jinja2.PackageLoader(package, "templates"), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, finalize=md_escape,
                             undefined=jinja2.StrictUndefined)
    env.filters["code"] = md_code
    env.filters["trusted"] = Trusted
    env.filters["md"] = lambda v: Trusted(md_escape("" if v is None else str(v)))
    return env


def csp(scripts: list[str] = ()) -> str:
    """The policy: nothing from the network; inline styles and data: images; scripts only
    those given here, allowed by their sha256."""
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest())
                      .decode() for s in scripts)
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src {hashes or chr(39) + 'none' + chr(39)}; base-uri 'none'; form-action 'none'")
