"""Clean data with any labels passes the default gate; its dirty twin fails for the planted reason.

Random clean datasets of every layout (text; text/label with 2-20 random labels; prompt/
completion; chat) go through the gate of the policy `govern init` writes, with its real checks:
PII and secrets (presidio), validation (Great Expectations, the shipped suites), min_records.
Each has a dirty twin with one planted defect, which must fail the gate on validation alone,
on the expectation that names that defect.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

# Short sentences from templates over ordinary words: word salad is not clean data (spaCy
# reads "keyboard blank keyboard" as a person's name), and no names, places, numbers or
# key=value text that a PII or secret scan would rightly flag.
NOUNS = ("order invoice screen button printer delivery payment update error window cable "
         "battery refund schedule request ticket report question answer system network server "
         "file folder backup login upload download setting option version monitor laptop "
         "charger package return exchange discount coupon basket checkout receipt warranty "
         "repair manual guide feature problem issue").split()
ADJECTIVES = "slow broken open closed late early quick simple clear blank full empty quiet new old".split()
VERBS = "check fix send update open close cancel change repair return replace print".split()
TEMPLATES = ["my {n} is {a}", "please {v} the {n}", "the {n} and the {m} are {a}",
             "can you {v} my {n} today", "the {n} was {a} again", "why is the {n} so {a}"]
PROPERTY = settings(max_examples=3, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],  # a gate run is too slow to shrink
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


CLAUSE = st.builds(lambda t, n, m, a, v: t.format(n=n, m=m, a=a, v=v), st.sampled_from(TEMPLATES),
                   st.sampled_from(NOUNS), st.sampled_from(NOUNS), st.sampled_from(ADJECTIVES),
                   st.sampled_from(VERBS))


def sentence(min_clauses=1, max_clauses=3):
    return st.lists(CLAUSE, min_size=min_clauses, max_size=max_clauses).map(" and ".join)


def unique_texts(n_min, n_max):
    return st.lists(sentence(), min_size=n_min, max_size=n_max, unique=True)


@st.composite
def text_records(draw):
    return [{"text": t} for t in draw(unique_texts(5, 30))]


@st.composite
def classification_records(draw):
    labels = draw(st.one_of(
        st.lists(st.from_regex(r"[a-z][a-z_]{2,11}", fullmatch=True), min_size=2, max_size=20,
                 unique=True),
        st.lists(st.integers(0, 999), min_size=2, max_size=20, unique=True)))
    per_label = [draw(st.integers(2, 6)) for _ in labels]
    texts = draw(st.lists(sentence(), min_size=sum(per_label), max_size=sum(per_label),
                          unique=True))
    rows = [lab for lab, k in zip(labels, per_label) for _ in range(k)]
    order = draw(st.permutations(range(len(rows))))
    return [{"text": texts[i], "label": rows[i]} for i in order]


@st.composite
def prompt_completion_records(draw):
    prompts = draw(unique_texts(5, 25))
    return [{"prompt": p, "completion": draw(sentence())} for p in prompts]


@st.composite
def chat_records(draw):
    out = []
    for first in draw(unique_texts(4, 20)):
        turns = [{"role": "system", "content": draw(sentence())}] if draw(st.booleans()) else []
        for i in range(draw(st.integers(1, 3))):
            turns.append({"role": "user", "content": first if i == 0 else draw(sentence())})
            turns.append({"role": "assistant", "content": draw(sentence())})
        out.append({"messages": turns})
    return out


# a planted defect per layout: (name, how to plant it, the expectation that must fail)
def _dup_texts(recs):
    return recs + [dict(recs[0]) for _ in range(len(recs) // 2 + 1)]


def _empty_text(recs):
    return recs + [{**recs[0], "text": ""}]


def _one_label(recs):
    big = recs[0]["label"]
    return recs + [{"text": f"{r['text']} and the {w} is new", "label": big}
                   for w in NOUNS[:10] for r in recs]


def _null_label(recs):
    return recs + [{"text": "blank label here", "label": None}]


def _empty_completion(recs):
    return recs + [{"prompt": "one more question", "completion": ""}]


def _repeated_prompts(recs):
    return recs + [{"prompt": recs[0]["prompt"], "completion": f"please check the {w}"}
                   for w in NOUNS[:len(recs)]]


def _user_last(recs):
    return recs + [{"messages": recs[0]["messages"] + [{"role": "user", "content": "hello"}]}]


def _no_alternation(recs):
    return recs + [{"messages": [{"role": "user", "content": "first"},
                                 {"role": "user", "content": "second"},
                                 {"role": "assistant", "content": "reply"}]}]


LAYOUTS = {
    "text": (text_records(), [
        ("duplicates", _dup_texts, ("expect_column_mean_to_be_between", "_duplicate")),
        ("empty text", _empty_text, ("expect_column_values_to_be_between", "_chars"))]),
    "classification": (classification_records(), [
        ("one label dominates", _one_label, ("expect_column_values_to_be_between", "_label_share")),
        ("null label", _null_label, ("expect_column_values_to_not_be_null", "label"))]),
    "prompt-completion": (prompt_completion_records(), [
        ("empty completion", _empty_completion,
         ("expect_column_values_to_be_between", "_completion_chars")),
        ("repeated prompts", _repeated_prompts,
         ("expect_column_proportion_of_unique_values_to_be_between", "prompt"))]),
    "chat": (chat_records(), [
        ("last turn is the user's", _user_last, ("expect_column_values_to_be_in_set", "_last_role")),
        ("no alternation", _no_alternation, ("expect_column_values_to_be_in_set", "_alternates"))]),
}


class Gatekeeper:
    """A store with keys and the policy `govern init` writes; gates records as `govern gate
    --run` does (the validation result made first with the session's GX context)."""

    def __init__(self, root: Path, gx_context):
        from govern.policy import load_policy
        from govern.policy.load import template_text
        from govern.store.store import init_store
        (root / "govern.toml").write_text(template_text(), encoding="utf-8")
        self.policy = load_policy(root / "govern.toml")
        self.store, _ = init_store(root / ".govern")
        self.context = gx_context

    def gate(self, records: list[dict]):
        from govern.data.readers import SourceRecord
        from govern.gate.evaluate import run_gate
        from govern.snapshot.create import create_snapshot
        from govern.snapshot.target import Target
        from govern.validate.run import validate_target
        recs = (SourceRecord(r, "data.jsonl", i + 1) for i, r in enumerate(records))
        snap = create_snapshot(self.store, recs, [{"path": "data.jsonl", "size": 0,
                                                   "sha256": "0" * 64}]).snapshot
        run = validate_target(self.store, Target(snap.label(), snapshot=snap), None, self.policy,
                              context=self.context)
        return snap, run, run_gate(self.store, snap, self.policy, run_missing=True)


@pytest.fixture(scope="module")
def gatekeeper(gx_context):
    with tempfile.TemporaryDirectory() as tmp:
        yield Gatekeeper(Path(tmp), gx_context)


def _failed(run) -> set:
    return {(f["expectation"], f.get("column")) for s in run.payload["suites"] for f in s["failed"]}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_clean_data_passes_the_default_gate_and_its_dirty_twin_fails(gatekeeper, layout):
    strategy, defects = LAYOUTS[layout]

    @PROPERTY
    @given(records=strategy, defect=st.sampled_from(defects))
    def check(records, defect):
        snap, run, decision = gatekeeper.gate(records)
        assert snap.layout == layout
        assert run.success, _failed(run)
        assert decision.passed, decision.failing()
        name, plant, expected = defect
        snap, run, decision = gatekeeper.gate(plant(records))
        assert not decision.passed, name
        assert [c["name"] for c in decision.failing()] == ["validation"], decision.failing()
        assert expected in _failed(run), (name, _failed(run))

    check()
