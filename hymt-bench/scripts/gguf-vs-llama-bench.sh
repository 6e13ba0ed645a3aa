#!/usr/bin/env bash
# GGUF benchmark (issue 13): for each file type, hymt quantize a 1.8B-shaped model (skipped when OUT_DIR already
# holds the file), then measure prefill and decode tok/s and peak RSS with `hymt bench` and with llama.cpp's
# llama-bench on the same file, in the same run, 1 and 2 threads; print file sizes next to Tencent's releases and a
# Markdown table. Heavy: run under `flock /tmp/hymt-heavy.lock`.
# usage: gguf-vs-llama-bench.sh MODEL_DIR OUT_DIR HYMT_JAR LLAMA_BIN_DIR [TYPES...]
# env: PROMPT (prefill tokens, 64), DECODE (decode tokens, 16), REPS (llama-bench -r, 1), THREADS (1,2),
#      LOG_DIR (OUT_DIR/logs)
set -euo pipefail
model=$1; out=$2; jar=$3; bin=$4; shift 4
types=("$@"); [ ${#types[@]} -gt 0 ] || types=(Q8_0 Q6_K Q5_K_M Q4_K_M Q4_0 F16 BF16)
prompt=${PROMPT:-64}; decode=${DECODE:-16}; reps=${REPS:-1}; threads=${THREADS:-1,2}
logs=${LOG_DIR:-$out/logs}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
hymt=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -jar "$jar")
mkdir -p "$logs"
echo "== host ($(date -u +%FT%TZ))"; lscpu | head -20; uptime; free -g | head -2
echo "llama.cpp: $(cat "$bin/../../SOURCE-COMMIT" 2>/dev/null || echo "build of unknown commit") ($bin)"
rss() { grep "Maximum resident" "$1" | awk '{printf "%.0f MiB", $6/1024}'; }
wall() { grep "Elapsed (wall" "$1" | awk '{print $8}'; }
echo "== quantize (streaming from $model)"
for t in "${types[@]}"; do
  f="$out/gguf-1.8b-$t.gguf"
  if [ -f "$f" ]; then
    echo "$t: $(stat -L -c %s "$f") bytes (existing file, not re-quantized)"
  else
    /usr/bin/time -v "${hymt[@]}" quantize --model "$model" --type "$t" --out "$f" > "$logs/quantize-$t.out" 2> "$logs/quantize-$t.err"
    echo "$t: $(stat -L -c %s "$f") bytes, quantize wall $(wall "$logs/quantize-$t.err"), peak RSS $(rss "$logs/quantize-$t.err")"
  fi
done
echo "== bench (prefill $prompt tokens, decode $decode, threads $threads, llama-bench -r $reps; load before each)"
for t in "${types[@]}"; do
  f="$out/gguf-1.8b-$t.gguf"
  echo "-- $t  $(uptime)"
  /usr/bin/time -v "${hymt[@]}" bench --model "$f" --prompt-tokens "$prompt" --decode-tokens "$decode" --threads "$threads" \
    > "$logs/hymt-$t.out" 2> "$logs/hymt-$t.err"
  grep -E "^weights read|^ +[0-9]+ " "$logs/hymt-$t.out" | sed "s/^/hymt      $t  /"
  echo "hymt      $t peak RSS $(rss "$logs/hymt-$t.err")"
  echo "   $(uptime)"
  /usr/bin/time -v "$bin/llama-bench" -v -m "$f" -t "$threads" -p "$prompt" -n "$decode" -r "$reps" -o jsonl \
    > "$logs/llama-$t.out" 2> "$logs/llama-$t.err"
  python3 - "$logs/llama-$t.out" "$t" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    kind = "prefill" if r["n_prompt"] else "decode "
    print(f"llama.cpp {sys.argv[2]:<7} threads {r['n_threads']}  {kind} {r['avg_ts']:8.2f} t/s")
PY
  echo "llama.cpp $t peak RSS $(rss "$logs/llama-$t.err"); $(grep -o -m1 -E 'CPU_REPACK model buffer size = *[0-9.]+ MiB' "$logs/llama-$t.err" || echo 'no CPU_REPACK buffer')"
done
echo "== file sizes vs Tencent's HY-MT1.5-1.8B GGUF releases"
for t in Q4_K_M Q6_K Q8_0; do
  case $t in Q4_K_M) ref=1133080512;; Q6_K) ref=1474785216;; Q8_0) ref=1908528288;; esac
  f="$out/gguf-1.8b-$t.gguf"; [ -f "$f" ] && echo "$t ours $(stat -L -c %s "$f") B, Tencent $ref B, difference $(( $(stat -L -c %s "$f") - ref )) B"
done
echo "== table (decode GB/s = weight bytes one decode step reads × tok/s; stream = hymt's timed read of those bytes, same moment)"
python3 - "$logs" "$out" "${types[@]}" <<'PY'
import json, os, re, sys
logs, out, types = sys.argv[1], sys.argv[2], sys.argv[3:]
def rss(path):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path, errors="replace").read())
    return int(m.group(1)) // 1024 if m else -1
print("| type | file (B) | GiB/step | threads | hymt prefill | llama.cpp prefill | ratio | hymt decode | llama.cpp decode | ratio "
      "| stream ms | hymt step/stream | llama.cpp step/stream | peak RSS hymt / llama.cpp (MiB) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for t in types:
    text = open(f"{logs}/hymt-{t}.out").read()
    gib = float(re.search(r"weights read per decode step: ([\d.]+) GiB", text).group(1))
    ours = {int(m[0]): (float(m[1]), float(m[2]), float(m[4])) for m in
            re.findall(r"^ +(\d+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)", text, re.M)}
    llama = {}
    for line in open(f"{logs}/llama-{t}.out"):
        r = json.loads(line)
        llama.setdefault(r["n_threads"], {})["prefill" if r["n_prompt"] else "decode"] = r["avg_ts"]
    size = os.path.getsize(f"{out}/gguf-1.8b-{t}.gguf")
    for n in sorted(ours):
        pf, dc, stream = ours[n]
        lp, ld = llama[n]["prefill"], llama[n]["decode"]
        print(f"| {t} | {size:,} | {gib:.2f} | {n} | {pf:.2f} | {lp:.2f} | {pf / lp:.2f} | {dc:.2f} | {ld:.2f} | {dc / ld:.2f} "
              f"| {stream:.0f} | {1000 / dc / stream:.2f} | {1000 / ld / stream:.2f} | {rss(f'{logs}/hymt-{t}.err')} / {rss(f'{logs}/llama-{t}.err')} |")
PY
echo "== end ($(date -u +%FT%TZ))"; lscpu | head -20; uptime
