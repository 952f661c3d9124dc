"""`govern scan ...`: the scanners, one module each (pii, leakage)."""
from __future__ import annotations

import click

from govern.cli.main import LazyGroup


@click.group(cls=LazyGroup, lazy={"pii": "govern.cli.scan_pii:scan_pii",
                                  "leakage": "govern.cli.scan_leakage:scan_leakage"})
def scan():
    """Scan a snapshot or data files for PII and secrets, or for golden-set leakage."""
