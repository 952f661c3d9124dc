"""Hugging Face datasets in and out: save_to_disk folders (Dataset, DatasetDict), hub datasets
from a local cache laid out as huggingface_hub lays it out, and exports that load back."""
from __future__ import annotations

import json

import pytest

from tests.data.conftest import COMMIT, add_hub_dataset, parquet_bytes

LABELS = ["refund", "bug", "hours"]


def records(n, offset=0):
    return [{"text": f"ticket number {i} about something", "label": LABELS[i % 3]}
            for i in range(offset, offset + n)]


def last_line(res):
    return res.output.strip().splitlines()[-1]


def locators(govern, ref):
    from govern.snapshot import resolve
    from govern.store import open_store
    store = open_store(govern.store)
    try:
        return [(file, line) for _, _, _, file, line in resolve(store, ref).iter_raw()]
    finally:
        store.close()


def write_jsonl(path, recs):
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


def test_a_dataset_folder_gives_the_same_id_as_its_jsonl(govern, hf_caches, tmp_path):
    import datasets
    recs = records(7)
    datasets.Dataset.from_list(recs).save_to_disk(str(tmp_path / "hfds"))
    res = govern("snapshot", "create", tmp_path / "hfds", "--name", "from-hf")
    assert res.exit_code == 0, res.output
    assert "layout classification" in res.output
    from_jsonl = govern("snapshot", "create", write_jsonl(tmp_path / "same.jsonl", recs))
    assert last_line(from_jsonl) == last_line(res)
    assert locators(govern, "from-hf") == [(str(tmp_path / "hfds"), i) for i in range(1, 8)]


def test_a_dataset_dict_keeps_each_records_split_and_row(govern, hf_caches, tmp_path):
    import datasets
    train, test = records(6), records(3, offset=100)
    datasets.DatasetDict({"train": datasets.Dataset.from_list(train),
                          "test": datasets.Dataset.from_list(test)}).save_to_disk(str(tmp_path / "dd"))
    res = govern("snapshot", "create", tmp_path / "dd", "--name", "all")
    assert res.exit_code == 0, res.output
    assert "9 records" in res.output
    base = str(tmp_path / "dd")
    assert locators(govern, "all") == ([(base + "#train", i) for i in range(1, 7)]
                                       + [(base + "#test", i) for i in range(1, 4)])
    # the id is the records' digest: the same rows in one JSONL file give the same id
    assert last_line(govern("snapshot", "create", write_jsonl(tmp_path / "x.jsonl", train + test))) \
        == last_line(res)
    only = govern("snapshot", "create", tmp_path / "dd", "--split", "test", "--name", "test-only")
    assert only.exit_code == 0 and "3 records" in only.output
    assert locators(govern, "test-only") == [(base + "#test", i) for i in range(1, 4)]
    bad = govern("snapshot", "create", tmp_path / "dd", "--split", "validation")
    assert bad.exit_code == 2 and "no split 'validation'" in bad.output and "train, test" in bad.output


def test_a_value_json_cannot_hold_stops_at_its_split_and_row(govern, hf_caches, tmp_path):
    import datasets
    rows = [{"text": f"t {i}", "score": float(i)} for i in range(5)]
    rows[3]["score"] = float("nan")
    datasets.DatasetDict({"train": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "dd"))
    res = govern("snapshot", "create", tmp_path / "dd")
    assert res.exit_code == 2
    assert f"{tmp_path / 'dd'}#train:4: field 'score' holds nan" in res.output
    blob = [{"text": "a", "raw": b"\x00\x01"}]
    datasets.Dataset.from_list(blob).save_to_disk(str(tmp_path / "bin"))
    res = govern("snapshot", "create", tmp_path / "bin")
    assert res.exit_code == 2 and ":1: field 'raw' holds a bytes" in res.output


def _hub_repo(hf_caches, tmp_path):
    readme = ("---\nconfigs:\n- config_name: en\n  data_files:\n  - split: train\n"
              "    path: en/train-*.parquet\n  - split: test\n    path: en/test-*.parquet\n"
              "  default: true\n- config_name: fr\n  data_files:\n  - split: train\n"
              "    path: fr/train-*.parquet\n---\n# tickets\n").encode()
    fr = [{"text": f"billet {i}", "label": LABELS[i % 3]} for i in range(4)]
    add_hub_dataset(hf_caches, "acme/tickets", {
        "README.md": readme,
        "en/train-00000-of-00001.parquet": parquet_bytes(records(6), tmp_path),
        "en/test-00000-of-00001.parquet": parquet_bytes(records(2, offset=50), tmp_path),
        "fr/train-00000-of-00001.parquet": parquet_bytes(fr, tmp_path)})
    return fr


def test_a_hub_dataset_is_read_from_the_local_cache(govern, hf_caches, tmp_path):
    fr = _hub_repo(hf_caches, tmp_path)
    res = govern("snapshot", "create", "hf://acme/tickets", "--name", "hub")
    assert res.exit_code == 0, res.output
    assert "8 records" in res.output
    locs = locators(govern, "hub")
    assert locs[0] == (f"hf://acme/tickets@{COMMIT}#train", 1)
    assert locs[-1] == (f"hf://acme/tickets@{COMMIT}#test", 2)
    same = govern("snapshot", "create", write_jsonl(tmp_path / "en.jsonl",
                                                    records(6) + records(2, offset=50)))
    assert last_line(same) == last_line(res)
    # CONFIG, @REV (a ref or the commit) and --split
    res = govern("snapshot", "create", f"hf://acme/tickets/fr@{COMMIT}", "--name", "fr")
    assert res.exit_code == 0, res.output
    assert locators(govern, "fr")[0] == (f"hf://acme/tickets/fr@{COMMIT}#train", 1)
    assert last_line(res) == last_line(govern("snapshot", "create",
                                              write_jsonl(tmp_path / "fr.jsonl", fr)))
    res = govern("snapshot", "create", "hf://acme/tickets@main", "--split", "test")
    assert res.exit_code == 0 and "2 records" in res.output


@pytest.mark.parametrize("ref", ["hf://acme/missing", "hf://acme/tickets@v9"])
def test_a_dataset_missing_from_the_cache_exits_2_naming_the_cache(govern, hf_caches, tmp_path, ref):
    _hub_repo(hf_caches, tmp_path)
    res = govern("snapshot", "create", ref)
    assert res.exit_code == 2
    assert "not in the local Hugging Face cache" in res.output
    assert str(hf_caches) in res.output


def test_export_as_a_dataset_folder_parquet_and_jsonl_round_trips(govern, hf_caches, tmp_path):
    import datasets

    from tests.train.conftest import attest
    recs = [{"messages": [{"role": "user", "content": f"question {i}"},
                          {"role": "assistant", "content": f"answer {i}"}]} for i in range(5)]
    ref = last_line(govern("snapshot", "create", write_jsonl(tmp_path / "chat.jsonl", recs),
                           "--name", "chat"))
    att = attest(govern, ref)
    res = govern("snapshot", "export", "chat", "--format", "hf", tmp_path / "out-hf")
    assert res.exit_code == 0, res.output
    ds = datasets.load_from_disk(str(tmp_path / "out-hf"))
    assert ds.num_rows == 5 and ds[2]["messages"][1]["content"] == "answer 2"
    assert ref in ds.info.description and att in ds.info.description
    for fmt, out in (("parquet", tmp_path / "out.parquet"), ("jsonl", tmp_path / "out.jsonl")):
        res = govern("snapshot", "export", "chat", "--format", fmt, out)
        assert res.exit_code == 0, res.output
    for path in ("out-hf", "out.parquet", "out.jsonl"):
        again = govern("snapshot", "create", tmp_path / path)
        assert again.exit_code == 0, again.output
        assert last_line(again) == ref, path
    assert datasets.load_dataset("parquet", data_files=str(tmp_path / "out.parquet"),
                                 split="train").num_rows == 5
    assert govern("snapshot", "export", "chat", "--format", "hf", tmp_path / "out-hf").exit_code == 2


def test_validate_and_suite_from_take_a_dataset_folder_directly(govern, hf_caches, tmp_path):
    import datasets
    datasets.DatasetDict({"train": datasets.Dataset.from_list(records(9)),
                          "test": datasets.Dataset.from_list(records(3, offset=20))}
                         ).save_to_disk(str(tmp_path / "dd"))
    res = govern("validate", tmp_path / "dd")
    assert res.exit_code == 0, res.output
    assert "12 records, layout classification" in res.output
    out = tmp_path / "suite.json"
    assert govern("validate", "--suite-from", tmp_path / "dd", "--out", out).exit_code == 0
    suite = json.loads(out.read_text())
    assert {"column": "label", "value_set": ["bug", "hours", "refund"]} in \
        [e["kwargs"] for e in suite["expectations"]]
