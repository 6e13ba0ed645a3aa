#!/usr/bin/env bash
# GGUF benchmark (issue 13): for each file type, hymt quantize a 1.8B-shaped model, then measure prefill and decode
# tok/s and peak RSS with `hymt bench` and with llama.cpp's llama-bench on the same file, in the same run, 1 and 2
# threads; print file sizes next to Tencent's releases. Heavy: run under `flock /tmp/hymt-heavy.lock`.
# usage: gguf-vs-llama-bench.sh MODEL_DIR OUT_DIR HYMT_JAR LLAMA_BIN_DIR [TYPES...]
set -euo pipefail
model=$1; out=$2; jar=$3; bin=$4; shift 4
types=("$@"); [ ${#types[@]} -gt 0 ] || types=(Q8_0 Q6_K Q5_K_M Q4_K_M Q4_0 F16 BF16)
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
hymt=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -jar "$jar")
mkdir -p "$out/logs"
echo "== host"; lscpu | head -15; echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; free -g | head -2
rss() { grep "Maximum resident" "$1" | awk '{printf "%.0f MiB", $6/1024}'; }
wall() { grep "Elapsed (wall" "$1" | awk '{print $8}'; }
echo "== quantize (streaming from $model)"
for t in "${types[@]}"; do
  f="$out/gguf-1.8b-$t.gguf"
  if [ ! -f "$f" ]; then
    /usr/bin/time -v "${hymt[@]}" quantize --model "$model" --type "$t" --out "$f" > "$out/logs/quantize-$t.out" 2> "$out/logs/quantize-$t.err"
  fi
  [ -f "$out/logs/quantize-$t.err" ] && echo "$t: $(stat -c %s "$f") bytes, quantize wall $(wall "$out/logs/quantize-$t.err"), peak RSS $(rss "$out/logs/quantize-$t.err")"
done
echo "== bench (prefill 128 tokens, decode 16; load average before each)"
for t in "${types[@]}"; do
  f="$out/gguf-1.8b-$t.gguf"
  echo "-- $t  load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -v "${hymt[@]}" bench --model "$f" --prompt-tokens 128 --decode-tokens 16 --threads 1,2 \
    > "$out/logs/hymt-$t.out" 2> "$out/logs/hymt-$t.err"
  grep -E "^ +[12] " "$out/logs/hymt-$t.out" | awk -v t="$t" '{printf "hymt      %-7s threads %s  prefill %8.2f t/s  decode %7.2f t/s\n", t, $1, $2, $3}'
  echo "hymt      $t peak RSS $(rss "$out/logs/hymt-$t.err")"
  /usr/bin/time -v "$bin/llama-bench" -m "$f" -t 1,2 -p 128 -n 16 -r 2 -o jsonl \
    > "$out/logs/llama-$t.out" 2> "$out/logs/llama-$t.err"
  python3 - "$out/logs/llama-$t.out" "$t" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    kind = "prefill" if r["n_prompt"] else "decode "
    print(f"llama.cpp {sys.argv[2]:<7} threads {r['n_threads']}  {kind} {r['avg_ts']:8.2f} t/s")
PY
  echo "llama.cpp $t peak RSS $(rss "$out/logs/llama-$t.err")"
done
echo "== file sizes vs Tencent's HY-MT1.5-1.8B GGUF releases"
for t in Q4_K_M Q6_K Q8_0; do
  case $t in Q4_K_M) ref=1133080512;; Q6_K) ref=1474785216;; Q8_0) ref=1908528288;; esac
  f="$out/gguf-1.8b-$t.gguf"; [ -f "$f" ] && echo "$t ours $(stat -c %s "$f") B, Tencent $ref B, difference $(( $(stat -c %s "$f") - ref )) B"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
