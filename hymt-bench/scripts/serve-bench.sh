#!/usr/bin/env bash
# hymt serve against llama.cpp's llama-server on the same GGUF, in one run (issue 11's serving benchmark):
# requests/s and p50/p99 time to first token at concurrency 1, 4, 16 for 40-token translations.
# Usage: hymt-bench/scripts/serve-bench.sh MODEL.gguf [LLAMA_SERVER_BINARY]
# Heavy (1.8B shape): run it under `flock /tmp/hymt-heavy.lock`. Loopback only; both servers stop at the end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gguf=$1
llama=${2:-/work/llama.cpp-build/bin/llama-server}
threads=$(nproc)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
lscpu | head -15
uptime
HYMT_JAVA_OPTS=${HYMT_JAVA_OPTS:--Xmx12g} "$root/hymt" serve --model "$gguf" --port 18180 --threads "$threads" \
  --max-queue 0 > /tmp/serve-bench-hymt.log 2>&1 &
hymt_pid=$!
"$llama" -m "$gguf" --host 127.0.0.1 --port 18181 -np 16 -t "$threads" -c 8192 > /tmp/serve-bench-llama.log 2>&1 &
llama_pid=$!
trap 'kill $hymt_pid $llama_pid 2>/dev/null || true' EXIT
for url in http://127.0.0.1:18180 http://127.0.0.1:18181; do
  for _ in $(seq 600); do curl -sf "$url/health" >/dev/null && break; sleep 1; done
done
# The load generator runs as a single source file on the CLI jar's classpath (for Jackson).
"$JAVA_HOME/bin/java" -cp "$root/hymt-cli/target/hymt.jar" "$root/hymt-bench/src/main/java/dev/hymt4j/bench/ServeBench.java" \
  --server hymt=http://127.0.0.1:18180 --server llama.cpp=http://127.0.0.1:18181 --concurrency 1,4,16 --tokens 40
