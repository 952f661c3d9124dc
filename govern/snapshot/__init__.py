"""Snapshots: immutable, content-addressed tables of records with their source lines."""
from govern.snapshot.model import Snapshot, RecordRef, resolve, list_snapshots
from govern.snapshot.create import create_snapshot, snapshot_files

__all__ = ["Snapshot", "RecordRef", "resolve", "list_snapshots", "create_snapshot",
           "snapshot_files"]
