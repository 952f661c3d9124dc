"""The training set as a `datasets.Dataset`: the verified records, tokenised with `map`.

The Dataset starts from the records' canonical JSON (the bytes that were re-hashed against
the attested snapshot), so what is tokenised is exactly what was verified. Tokenised sets are
cached by snapshot id and everything else that shapes them (tokenizer digest, task, fields,
labels, max_length), in the store's cache folder: a second run on the same snapshot and
settings does not tokenise again.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from govern.digests import canonical_json, digest_json


def encoded_sets(records: list[tuple[int, dict, str]], encode: Callable[[dict], dict],
                 held_out: Callable[[str], bool], key: dict, cache_dir: Path | None = None):
    """(train, held) Datasets of encoded examples from (row, record, digest) triples.

    `key` names everything besides the records that shapes an example; with the snapshot id
    in it, it names the cache files."""
    import datasets
    datasets.disable_progress_bars()
    out = []
    for part, wanted in (("train", False), ("held", True)):
        chosen = [(rec, d) for _, rec, d in records if held_out(d) is wanted]
        ds = datasets.Dataset.from_dict({"record": [canonical_json(r) for r, _ in chosen],
                                         "digest": [d for _, d in chosen]})
        fingerprint = digest_json({**key, "part": part})[:32]
        cache = None
        if cache_dir is not None and chosen:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            cache = str(Path(cache_dir) / f"{key['snapshot'][:16]}-{fingerprint}.arrow")
        out.append(ds.map(lambda ex: encode(json.loads(ex["record"])),
                          remove_columns=["record", "digest"], new_fingerprint=fingerprint,
                          cache_file_name=cache, keep_in_memory=cache is None,
                          desc="tokenising"))
    return out[0], out[1]
