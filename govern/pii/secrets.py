"""Secret detectors: cloud keys, service tokens, private key blocks, JWTs and credentials.

Each is a declaration (see `govern.pii.detectors.Detector`) with a stable id and entity type
`SECRET_*`; validation checks the known shape (charset, JSON header, no placeholder) so
look-alikes such as `password=<your password>` or `sk-learn` are not reported.
"""
from __future__ import annotations

import base64
import json
import re

from govern.pii.detectors import Detector

_B = r"(?<![A-Za-z0-9_])"   # no token character before
_E = r"(?![A-Za-z0-9_])"    # no token character after
_PLACEHOLDER = re.compile(r"^(?:[<{$%\[]|x{4,}|\*{3,}|\.{3,}|changeme|password|secret|example|"
                          r"redacted|your[_-]?|none$|null$|true$|false$)", re.I)


def _mixed(value: str) -> bool:
    """A real token mixes letters and digits and is not one character repeated."""
    return (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
            and len(set(value)) > 4)


def _credential(value: str) -> bool:
    """Not a placeholder, and not a plain word ("password is expired", "token: Bearer")."""
    if len(value) < 6 or _PLACEHOLDER.match(value) or len(set(value)) <= 2:
        return False
    if value.isalpha():  # words pass only in mixed case such as "hUnTerTwo"
        return not (value.islower() or value.istitle() or value.isupper())
    return True


def _jwt(value: str) -> bool:
    try:
        head = value.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and ("alg" in header or "typ" in header)


_KEY_NAMES = (r"password|passwd|pwd|pass|passphrase|secret|secret[_-]?key|client[_-]?secret|"
              r"api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|token|"
              r"private[_-]?key|aws[_-]?secret[_-]?access[_-]?key|db[_-]?password")

SECRETS = [
    Detector("govern.secret.aws_access_key", "SECRET_AWS_ACCESS_KEY",
             _B + r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}" + _E,
             score=0.95, validate=lambda v: len(set(v[4:])) > 6,
             needs=("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
             description="AWS access key id (prefix + 16 upper-case letters and digits)"),
    Detector("govern.secret.github_token", "SECRET_GITHUB_TOKEN",
             _B + r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,90})" + _E,
             score=0.95, validate=lambda v: _mixed(v.split("_", 1)[1]), needs=("gh", "github_pat_"),
             description="GitHub personal, OAuth, app or fine-grained token"),
    Detector("govern.secret.gitlab_token", "SECRET_GITLAB_TOKEN",
             _B + r"gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,50}" + _E, score=0.95,
             validate=lambda v: _mixed(v.split("-", 1)[1]), needs=("glpat-", "gldt-", "glrt-", "glptt-"),
             description="GitLab access token"),
    Detector("govern.secret.slack_token", "SECRET_SLACK_TOKEN",
             _B + r"xox[abposr]-(?:[0-9A-Za-z]{6,}-){1,4}[0-9A-Za-z]{6,}" + _E, score=0.95,
             validate=lambda v: _mixed(v[5:]), needs=("xox",),
             description="Slack bot, user or app token"),
    Detector("govern.secret.slack_webhook", "SECRET_SLACK_WEBHOOK",
             r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}",
             score=0.95, needs=("https://hooks.slack.com/services/",),
             description="Slack incoming webhook URL"),
    Detector("govern.secret.stripe_key", "SECRET_STRIPE_KEY",
             _B + r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{20,99}" + _E, score=0.95,
             validate=lambda v: _mixed(v.split("_", 2)[2]), needs=("_live_", "_test_"),
             description="Stripe secret or restricted key"),
    Detector("govern.secret.openai_key", "SECRET_OPENAI_KEY",
             _B + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,200}" + _E, score=0.9,
             validate=_mixed, needs=("sk-",), description="OpenAI-style API key (sk-...)"),
    Detector("govern.secret.google_api_key", "SECRET_GOOGLE_API_KEY",
             _B + r"AIza[0-9A-Za-z_-]{35}" + _E, score=0.9, validate=_mixed, needs=("AIza",),
             description="Google API key"),
    Detector("govern.secret.private_key", "SECRET_PRIVATE_KEY",
             r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
             r"[\s\S]{16,}?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
             score=1.0, needs=("-----BEGIN ",), description="PEM / OpenSSH / PGP private key block"),
    Detector("govern.secret.jwt", "SECRET_JWT",
             _B + r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}" + _E,
             score=0.9, validate=_jwt, needs=("eyJ",),
             description="JSON Web Token with a decodable header"),
    Detector("govern.secret.url_credentials", "SECRET_URL_CREDENTIALS",
             r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@]{1,64}:(?P<value>[^\s:/@]{3,128})@[A-Za-z0-9.-]+",
             score=0.9, flags=re.I, validate=lambda v: _credential(v) or len(v) >= 3 and
             not _PLACEHOLDER.match(v), needs=("://",),
             description="password inside a URL (scheme://user:pass@host)"),
    Detector("govern.secret.key_value", "SECRET_PASSWORD",
             r"(?<![A-Za-z0-9])(?:" + _KEY_NAMES + r")[\"']?\s*(?:=|:|=>|:=|\bis\b)\s*[\"']?"
             r"(?P<value>[^\s\"',;]{6,200})",
             score=0.85, flags=re.I, validate=_credential, needs=("pass", "pwd", "secret", "key", "token"),
             description="password, secret or key in key=value / key: value form"),
]
