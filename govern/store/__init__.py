"""The store: content-addressed objects, a SQLite catalog and a hash-chained audit ledger."""
from govern.store.store import Store, open_store, init_store, default_store_path

__all__ = ["Store", "open_store", "init_store", "default_store_path"]
