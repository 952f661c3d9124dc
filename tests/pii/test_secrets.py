"""Secret detectors: a table of true and false examples per detector (exact spans)."""
from __future__ import annotations

import base64
import json

import pytest

from govern.pii.secrets import SECRETS

BY_TYPE = {d.entity: d for d in SECRETS}


def _jwt(header: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    return f"{enc(header)}.{enc({'sub': '1234567890', 'iat': 1516239022})}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


JWT = _jwt({"alg": "HS256", "typ": "JWT"})
NOT_JWT = _jwt({"hello": "world"})
PEM = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2\nq0f9vQ==\n"
       "-----END RSA PRIVATE KEY-----")

CASES = [
    # (type, text, expected matched values)
    ("SECRET_AWS_ACCESS_KEY", "key AKIAZ7QX4MRT2LBN5KWE here", ["AKIAZ7QX4MRT2LBN5KWE"]),
    ("SECRET_AWS_ACCESS_KEY", "aws_access_key_id=ASIAQWERTYUIOP234567", ["ASIAQWERTYUIOP234567"]),
    ("SECRET_AWS_ACCESS_KEY", "AKIAAAAAAAAAAAAAAAAA is a placeholder", []),
    ("SECRET_AWS_ACCESS_KEY", "XAKIAZ7QX4MRT2LBN5KWE7 embedded in a longer token", []),
    ("SECRET_GITHUB_TOKEN", "token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 ok",
     ["ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
    ("SECRET_GITHUB_TOKEN", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", []),
    ("SECRET_GITHUB_TOKEN", "ghp_short1234", []),
    ("SECRET_GITLAB_TOKEN", "use glpat-a1B2c3D4e5F6g7H8i9J0 now", ["glpat-a1B2c3D4e5F6g7H8i9J0"]),
    ("SECRET_GITLAB_TOKEN", "glpat-xxxxxxxxxxxxxxxxxxxx", []),
    ("SECRET_SLACK_TOKEN", "xoxb-123456789012-1234567890123-a1B2c3D4e5F6g7H8i9J0k1L2",
     ["xoxb-123456789012-1234567890123-a1B2c3D4e5F6g7H8i9J0k1L2"]),
    ("SECRET_SLACK_TOKEN", "the xoxo-hugs sign-off", []),
    ("SECRET_SLACK_WEBHOOK", "post to https://hooks.slack.com/services/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",
     ["https://hooks.slack.com/services/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"]),
    ("SECRET_STRIPE_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]),
    ("SECRET_STRIPE_KEY", "pk_live_4eC39HqLyjWDarjtT1zdp7dc is publishable", []),
    ("SECRET_OPENAI_KEY", "OPENAI=sk-proj-a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0",
     ["sk-proj-a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0"]),
    ("SECRET_OPENAI_KEY", "we use sk-learn and sk-image for models", []),
    ("SECRET_GOOGLE_API_KEY", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
     ["AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"]),
    ("SECRET_PRIVATE_KEY", f"config:\n{PEM}\nend", [PEM]),
    ("SECRET_PRIVATE_KEY", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----", []),
    ("SECRET_JWT", f"Authorization: Bearer {JWT}", [JWT]),
    ("SECRET_JWT", f"not a token {NOT_JWT}", []),
    ("SECRET_URL_CREDENTIALS", "postgres://admin:S3cr3tPw@db.internal:5432/app", ["S3cr3tPw"]),
    ("SECRET_URL_CREDENTIALS", "see https://example.com/a:b@c and https://user@host.com", []),
    ("SECRET_PASSWORD", 'password="Hunter2!x" in the env file', ["Hunter2!x"]),
    ("SECRET_PASSWORD", "db_password: Tr0ub4dor&3", ["Tr0ub4dor&3"]),
    ("SECRET_PASSWORD", "my password is expired, please reset", []),
    ("SECRET_PASSWORD", "password=<your password here> and api_key=${API_KEY}", []),
    ("SECRET_PASSWORD", "password: changeme123", []),
]


@pytest.mark.parametrize("entity,text,expected", CASES)
def test_secret_detector(entity, text, expected):
    d = BY_TYPE[entity]
    assert [text[s:e] for s, e in d.find(text)] == expected


def test_detector_ids_are_stable_and_unique():
    ids = [d.id for d in SECRETS]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("govern.secret.") for i in ids)
    assert all(d.entity.startswith("SECRET_") for d in SECRETS)
