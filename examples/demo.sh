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

expect 0 govern init
expect 0 govern snapshot create "$ROOT/examples/support_tickets.jsonl" --name tickets
# a second version of the data: two tickets edited, one appended
python3 - "$ROOT/examples/support_tickets.jsonl" > tickets-v2.jsonl <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows[1]["text"] = rows[1]["text"].replace("error", "error code")
rows[2]["label"] = "technical"
rows.append({"id": "T0301", "text": "The invoice PDF will not download on my laptop.", "label": "billing"})
print("\n".join(json.dumps(r) for r in rows))
PY
expect 0 govern snapshot create tickets-v2.jsonl --name tickets-v2 --parent tickets
expect 0 govern verify --all
expect 0 govern snapshot diff tickets tickets-v2
expect 0 govern audit verify

echo
echo "demo finished in $(( $(date +%s) - START ))s; store at $GOVERN_STORE"
