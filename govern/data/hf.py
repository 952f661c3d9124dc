"""Hugging Face datasets as snapshot sources, read with the `datasets` library.

Two kinds of source:

- a `save_to_disk` folder, of a `Dataset` or of a `DatasetDict` (one sub-folder per split);
- `hf://NAME[/CONFIG][@REV]`, a hub dataset from the local Hugging Face cache only (what
  `datasets.load_dataset` or `huggingface_hub` downloaded before); govern never goes online.

Records come out in split order, then row order, unchanged: the snapshot id is the digest of
the records, so the same rows give the same id as their JSONL or Parquet export. Each split is
one source of the snapshot; a record's locator is its split and 1-based row
(`data/hfds#train:12`, `hf://owner/name@<commit>#test:3`), in place of file and line.
"""
from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from govern.data.readers import Limits, SourceRecord
from govern.digests import canonical_bytes
from govern.errors import InputError, UsageError

PREFIX = "hf://"
BATCH = 1000


def is_dataset_folder(path: Path) -> bool:
    """A folder written by Dataset.save_to_disk or DatasetDict.save_to_disk."""
    path = Path(path)
    return path.is_dir() and ((path / "dataset_dict.json").is_file()
                              or ((path / "state.json").is_file()
                                  and (path / "dataset_info.json").is_file()))


def is_hf_source(arg: str) -> bool:
    return arg.startswith(PREFIX) or is_dataset_folder(Path(arg))


@dataclass
class Split:
    """One split of a source: where its rows are said to come from, and the rows."""
    locator: str          # the source path recorded in the snapshot
    dataset: object       # a datasets.Dataset
    files: list[str]      # the Arrow files behind it (their bytes make the source digest)


def hub_cache() -> Path:
    from huggingface_hub import constants
    return Path(constants.HF_HUB_CACHE)


def parse_hub(arg: str) -> tuple[str, str | None, str | None]:
    """hf://NAME[/CONFIG][@REV] -> (repo id, config, revision). NAME is `owner/name` when the
    cache holds that repository, else a single-part name (then a second part is CONFIG)."""
    body = arg[len(PREFIX):]
    body, _, rev = body.partition("@")
    parts = [p for p in body.split("/") if p]
    if not parts or len(parts) > 3:
        raise UsageError(f"{arg}: expected hf://NAME[/CONFIG][@REV], e.g. hf://owner/name/config@main")
    single = len(parts) == 1 or (len(parts) == 2 and _repo_folder(parts[0]).is_dir()
                                 and not _repo_folder("/".join(parts)).is_dir())
    if single:
        return parts[0], (parts[1] if len(parts) == 2 else None), rev or None
    return "/".join(parts[:2]), (parts[2] if len(parts) == 3 else None), rev or None


def _repo_folder(repo_id: str) -> Path:
    return hub_cache() / ("datasets--" + repo_id.replace("/", "--"))


def _hub_snapshot(arg: str, repo_id: str, revision: str | None) -> Path:
    """The cached snapshot folder of a hub dataset; never downloads."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError
    try:
        return Path(snapshot_download(repo_id, repo_type="dataset", revision=revision,
                                      local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError) as e:
        raise UsageError(f"{arg}: dataset {repo_id!r}"
                         + (f" at revision {revision!r}" if revision else "")
                         + f" is not in the local Hugging Face cache ({_repo_folder(repo_id)})",
                         hint="govern reads hub datasets from the local cache only: download it "
                              "first (datasets.load_dataset or `hf download --repo-type dataset`"
                              "), or point HF_HUB_CACHE at the cache that holds it") from e


def _arrow_files(ds) -> list[str]:
    return [f["filename"] for f in getattr(ds, "cache_files", None) or []]


def _pick(splits: dict, split: str | None, where: str) -> dict:
    if split is None:
        return splits
    if split not in splits:
        raise UsageError(f"{where}: no split {split!r}",
                         hint=f"splits: {', '.join(splits) or 'none'}")
    return {split: splits[split]}


def open_splits(arg: str, split: str | None = None) -> list[Split]:
    """The splits of a dataset folder or hub dataset, in their stored order."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # before datasets is imported: never online
    import datasets
    datasets.disable_progress_bars()
    if arg.startswith(PREFIX):
        repo_id, config, revision = parse_hub(arg)
        folder = _hub_snapshot(arg, repo_id, revision)
        commit = folder.name
        base = f"{PREFIX}{repo_id}{'/' + config if config else ''}@{commit}"
        try:
            loaded = datasets.load_dataset(str(folder), config, split=split)
        except ValueError as e:   # an unknown config or split names the choices
            raise UsageError(f"{arg}: {str(e).splitlines()[0]}") from None
        found = {split: loaded} if split else dict(loaded)
        return [Split(f"{base}#{name}", ds, _arrow_files(ds)) for name, ds in found.items()]
    path = Path(arg)
    try:
        loaded = datasets.load_from_disk(str(path))
    except (FileNotFoundError, ValueError, OSError) as e:
        raise InputError(f"not a readable datasets folder ({str(e).splitlines()[0]})",
                         str(path)) from None
    if isinstance(loaded, datasets.DatasetDict):
        found = _pick(dict(loaded), split, str(path))
        return [Split(f"{path}#{name}", ds, _arrow_files(ds)) for name, ds in found.items()]
    if split is not None and str(loaded.split or "") != split:
        raise UsageError(f"{path}: a single Dataset (split {loaded.split or 'unnamed'}), "
                         f"not a DatasetDict with a split {split!r}")
    return [Split(str(path), loaded, _arrow_files(loaded))]


def describe(split: Split) -> dict:
    """The snapshot source entry: locator, bytes and a sha256 over the split's Arrow files."""
    h, size = hashlib.sha256(), 0
    for f in sorted(split.files):
        fh = hashlib.sha256()
        with open(f, "rb") as fp:
            for block in iter(lambda: fp.read(1 << 20), b""):
                fh.update(block)
        size += os.path.getsize(f)
        h.update(f"{Path(f).name} {fh.hexdigest()}\n".encode())
    return {"path": split.locator, "size": size, "sha256": h.hexdigest(),
            "format": "hf-dataset", "rows": split.dataset.num_rows}


def _json_safe(value, field: str, locator: str, row: int, depth: int, limits: Limits) -> None:
    if depth > limits.max_depth:
        raise InputError(f"record nests deeper than {limits.max_depth} levels", locator, row,
                         hint="raise --max-depth if this is expected")
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InputError(f"field {field!r} holds {value}, which JSON cannot represent",
                             locator, row)
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _json_safe(v, f"{field}[{i}]", locator, row, depth + 1, limits)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _json_safe(v, f"{field}.{k}" if field else str(k), locator, row, depth + 1, limits)
        return
    raise InputError(f"field {field!r} holds a {type(value).__name__}, which JSON cannot "
                     "represent (binary, image or audio columns cannot be snapshotted)",
                     locator, row, hint="drop or convert the column (Dataset.map / "
                                        "remove_columns) before saving the dataset")


def iter_split(split: Split, limits: Limits = Limits()) -> Iterator[SourceRecord]:
    """Rows as records, unchanged, each with its 1-based row in the split."""
    row = 0
    for table in split.dataset.with_format("arrow").iter(batch_size=BATCH):
        for rec in table.to_pylist():
            row += 1
            _json_safe(rec, "", split.locator, row, 1, limits)
            size = len(canonical_bytes(rec))
            if size > limits.max_record_bytes:
                raise InputError(f"record of {size} bytes is over the limit of "
                                 f"{limits.max_record_bytes} bytes", split.locator, row,
                                 hint="raise --max-record-bytes if this is expected")
            yield SourceRecord(rec, split.locator, row)
    if row == 0:
        raise InputError("the split holds no rows", split.locator)


def snapshot_datasets(store, args: list[str], *, split: str | None = None, limits: Limits = Limits(),
                      **create_kw):
    """Snapshot one or more dataset sources (folders or hf:// names), splits in order."""
    from govern.snapshot.create import create_snapshot
    splits = [s for arg in args for s in open_splits(arg, split)]
    if not splits:
        raise UsageError(f"{', '.join(args)}: no splits to snapshot")
    sources = [describe(s) for s in splits]

    def records() -> Iterator[SourceRecord]:
        for s in splits:
            yield from iter_split(s, limits)
    return create_snapshot(store, records(), sources, **create_kw)
