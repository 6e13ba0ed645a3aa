#!/usr/bin/env bash
# Issue 14 item 4 (threads on a shared machine): decode and prefill of one model file, ours and llama.cpp's
# llama-bench back to back, first on a quiet machine and then with N busy neighbours (shell loops that spin on a
# core each, at the same priority, as another tenant's job would), for each N in NEIGHBOURS. Prints each side's
# rates and their fraction of its own quiet rate, so the two degradations are compared in the same minutes.
#
# Usage: hymt-bench/scripts/neighbour.sh MODEL.gguf
# Environment: LLAMA_CPP_BIN (folder with llama-bench; without it only ours is measured), THREADS (2),
#   PROMPT (16), DECODE (32), NEIGHBOURS ("0 1 2": counts of spinning neighbours), REPS (2: runs per side and count)
# It builds nothing but hymt itself (./hymt); run it on its own (not under another benchmark).
set -euo pipefail
MODEL=${1:?usage: neighbour.sh MODEL.gguf}
THREADS=${THREADS:-2} PROMPT=${PROMPT:-16} DECODE=${DECODE:-32} NEIGHBOURS=${NEIGHBOURS:-0 1 2} REPS=${REPS:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
spinners=()
stop_spinners() { for p in "${spinners[@]}"; do kill "$p" 2>/dev/null || true; done; spinners=(); }
trap stop_spinners EXIT

# "prefill decode" tokens/s of one run
ours() {
  "$ROOT/hymt" bench --model "$MODEL" --threads "$THREADS" --prompt-tokens "$PROMPT" --decode-tokens "$DECODE" --json 2>/dev/null \
    | python3 -c 'import json, sys
for line in sys.stdin:
    if line.startswith("{"):
        d = json.loads(line); print("%.2f %.2f" % (d["prefill_tokens_per_s"], d["decode_tokens_per_s"]))'
}
llama() {
  "$LLAMA_CPP_BIN/llama-bench" -m "$MODEL" -t "$THREADS" -p "$PROMPT" -n "$DECODE" -r 1 -o jsonl 2>/dev/null \
    | python3 -c 'import json, sys
rates = {}
for line in sys.stdin:
    if line.startswith("{"):
        d = json.loads(line); rates["p" if d["n_prompt"] > 0 else "d"] = d["avg_ts"]
print("%.2f %.2f" % (rates["p"], rates["d"]))'
}

lscpu | head -15
echo "model $MODEL, $THREADS threads, prompt $PROMPT, decode $DECODE, $REPS runs each; load at start $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A quiet
printf '%-10s %-6s %-4s %10s %10s %14s %14s\n' side spin run prefill decode "prefill/quiet" "decode/quiet"
for n in $NEIGHBOURS; do
  for ((i = 0; i < n; i++)); do bash -c 'while :; do :; done' & spinners+=($!); done
  for side in hymt llama.cpp; do
    [[ $side == llama.cpp && -z "${LLAMA_CPP_BIN:-}" ]] && continue
    for ((r = 1; r <= REPS; r++)); do
      if [[ $side == hymt ]]; then read -r p d < <(ours); else read -r p d < <(llama); fi
      [[ $n == 0 && -z "${quiet[$side]:-}" ]] && quiet[$side]="$p $d"
      read -r qp qd <<<"${quiet[$side]:-$p $d}"
      printf '%-10s %-6s %-4s %10s %10s %14.2f %14.2f   (load %s)\n' "$side" "$n" "$r" "$p" "$d" \
        "$(echo "$p / $qp" | bc -l)" "$(echo "$d / $qd" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
  stop_spinners
done
