#!/usr/bin/env bash
# hymt serve against llama.cpp's llama-server on the same GGUF, in one run (issue 11's serving benchmark):
# requests/s and p50/p99 time to first token at concurrency 1, 4, 16 for 40-token translations (streamed
# /v1/completions, seeded sampling, ignore_eos: both servers generate exactly 40 tokens; ServeBench checks each usage).
# Usage: hymt-bench/scripts/serve-bench.sh MODEL.gguf [LLAMA_SERVER_BINARY]
#   A random-weight model (hymt init-demo --full-size, then quantized) mostly samples padding tokens that decode
#   to nothing, so no text would stream: give it through visible-padding-gguf.py first, e.g.
#   /work/py/bin/python hymt-bench/scripts/visible-padding-gguf.py in.gguf bench.gguf
#   env: THREADS (compute threads of each server, default 2), REQUESTS (per level: one count or "4,8,32";
#        default 2×concurrency, at least 4), TOKENS (default 40), CONCURRENCY (default 1,4,16).
# Heavy (1.8B shape): run it under `flock /tmp/hymt-heavy.lock`. Loopback only; both servers stop at the end.
# Both servers stay up for the whole run (idle while the other one is measured); at each level ServeBench
# measures one, then the other, so load from outside hits both alike.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gguf=$1
llama=${2:-/work/llama.cpp-build/build/bin/llama-server}
threads=${THREADS:-2}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$llama" ] || { echo "serve-bench: no llama-server at $llama (build it: cmake --build build --target llama-server)" >&2; exit 2; }
lscpu | head -20
uptime
echo "hymt: $(git -C "$root" rev-parse --short HEAD)   llama-server: $("$llama" --version 2>&1 | grep -m1 version)"
echo "model: $gguf   threads per server: $threads"
"$root/hymt" --version >/dev/null # builds the CLI jar now if a source changed, not while a server loads
# The KV cache needs little here (16 sequences of ~70 tokens); the GGUF is mapped, not on the heap.
HYMT_JAVA_OPTS=${HYMT_JAVA_OPTS:--Xmx4g} "$root/hymt" serve --model "$gguf" --port 18180 --threads "$threads" \
  --max-queue 0 --max-sequences 16 --kv-cache-mb 512 > /tmp/serve-bench-hymt.log 2>&1 &
hymt_pid=$!
"$llama" -m "$gguf" --host 127.0.0.1 --port 18181 -np 16 -t "$threads" -tb "$threads" -c 8192 \
  > /tmp/serve-bench-llama.log 2>&1 &
llama_pid=$!
trap 'kill $hymt_pid $llama_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for server in "$hymt_pid http://127.0.0.1:18180 /tmp/serve-bench-hymt.log" "$llama_pid http://127.0.0.1:18181 /tmp/serve-bench-llama.log"; do
  read -r pid url log <<< "$server"
  until curl -sf "$url/health" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "serve-bench: server $url exited; its log:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 1
  done
done
echo "both servers ready: $(uptime)"
# The load generator runs as a single source file on the CLI jar's classpath (for Jackson).
args=(--server hymt=http://127.0.0.1:18180 --server llama.cpp=http://127.0.0.1:18181
      --pid hymt=$hymt_pid --pid llama.cpp=$llama_pid --concurrency "${CONCURRENCY:-1,4,16}" --tokens "${TOKENS:-40}")
[ -n "${REQUESTS:-}" ] && args+=(--requests "$REQUESTS")
"$JAVA_HOME/bin/java" -Xmx256m -cp "$root/hymt-cli/target/hymt.jar" "$root/hymt-bench/src/main/java/dev/hymt4j/bench/ServeBench.java" "${args[@]}"
if curl -sf http://127.0.0.1:18180/metrics > /tmp/serve-bench-hymt-metrics.txt; then
  echo "hymt /metrics (engine steps, batch sizes):"
  grep -E '^hymt_(engine_steps_total|batch_size_(sum|count)|time_per_output_token_seconds_(sum|count)|time_to_first_token_seconds_(sum|count)|prompt_tokens_total|generation_tokens_total|prefix_cache_(hits|queries)_total)' /tmp/serve-bench-hymt-metrics.txt || true
fi
