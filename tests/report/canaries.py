"""Values planted in the bundled sample that no govern output may ever contain."""
from __future__ import annotations

CANARIES = ["maria.keller@example.com", "maria.keller", "(555) 014-2398", "014-2398",
            "4111 1111 1111 1111", "4111111111111111", "AKIA4TQX7ZK2M9PLW3RB"]


def assert_no_canary(text: str, where: str) -> None:
    low = text.lower()
    for canary in CANARIES:
        assert canary.lower() not in low, f"{canary!r} leaked into {where}"
