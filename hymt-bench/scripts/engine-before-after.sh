#!/usr/bin/env bash
# Issue 8's benchmark: the engine before issue 8 (main at b4e5146: static rectangular batches, one KvCache) and
# the engine of this checkout (ragged steps over the paged cache, continuous batching), back to back in one run:
# prefill and decode tokens/s at each batch size and the steady-state bytes allocated per decoded token, with
# the ratios after/before. Both sides measure the same way (BeforeEngineBench.java mirrors EngineBench): the same
# random prompts, greedy, no stop ids, one warm-up run of the same shape, then RUNS measured runs.
#
# Usage: hymt-bench/scripts/engine-before-after.sh [MODEL_DIR]     (default /work/models/big-bf16, the 1.8B shape)
# Environment: THREADS (2), PROMPT (32), DECODE (16), BATCHES (1,4,16), RUNS (1), BEFORE (b4e5146: the commit to
#   build in a temporary git worktree), BEFORE_JAR (use this CLI jar instead of building), HYMT_JAVA_OPTS (-Xmx6g),
#   MVN_FLAGS (e.g. -o), HEAVY_LOCK (/tmp/hymt-heavy.lock: the measurements hold it; empty = no lock; do not wrap
#   the script in another flock on the same file, it would wait for itself).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
model=${1:-/work/models/big-bf16}
THREADS=${THREADS:-2} PROMPT=${PROMPT:-32} DECODE=${DECODE:-16} BATCHES=${BATCHES:-1,4,16} RUNS=${RUNS:-1}
BEFORE=${BEFORE:-b4e5146} HEAVY_LOCK=${HEAVY_LOCK-/tmp/hymt-heavy.lock} MVN_FLAGS=${MVN_FLAGS:-}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
[ -f "$model/config.json" ] || { echo "no model at $model (make one: ./hymt init-demo $model --full-size)" >&2; exit 2; }

if [ -z "${BEFORE_JAR:-}" ]; then
  tmp=$(mktemp -d /tmp/hymt-before-XXXXXX)
  trap 'git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  echo "building the engine before issue 8 ($BEFORE) in $tmp/src ..." >&2
  git -C "$root" worktree add --detach "$tmp/src" "$BEFORE" >/dev/null 2>&1
  # shellcheck disable=SC2086
  (cd "$tmp/src" && nice -n 10 mvn -B -q $MVN_FLAGS -DskipTests package -pl hymt-cli -am) >&2
  BEFORE_JAR=$tmp/src/hymt-cli/target/hymt.jar
fi
echo "building this checkout's CLI jar ..." >&2
# shellcheck disable=SC2086
(cd "$root" && nice -n 10 mvn -B -q $MVN_FLAGS -DskipTests package -pl hymt-cli -am) >&2
after_jar=$root/hymt-cli/target/hymt.jar
# -XX:-BackgroundCompilation: a method that gets hot waits for its compiled code instead of running on in the
# interpreter, where every Vector API operation allocates: on a loaded host the compiler threads may otherwise still
# be behind after the warm-up, and both sides would be measured half-interpreted.
read -r -a jvm <<< "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -XX:-BackgroundCompilation ${HYMT_JAVA_OPTS:--Xmx6g}"
args=("$model" "$THREADS" "$PROMPT" "$DECODE" "$BATCHES" "$RUNS")

results=$(mktemp)
measure() {
  lscpu | head -20
  echo "model $model; threads $THREADS, prompt $PROMPT, decode $DECODE, batches $BATCHES, runs $RUNS (+1 warm-up each)"
  echo "load at start: $(uptime)"
  "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$BEFORE_JAR" "$root/hymt-bench/scripts/BeforeEngineBench.java" "${args[@]}" 2>/dev/null \
    | grep '^RESULT' | tee -a "$results"
  echo "load between: $(uptime)"
  "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$after_jar" "$root/hymt-bench/src/main/java/dev/hymt4j/bench/EngineBench.java" "${args[@]}" 2>/dev/null \
    | grep '^RESULT' | tee -a "$results"
  echo "load at end: $(uptime)"
}
if [ -n "$HEAVY_LOCK" ]; then
  exec 9>>"$HEAVY_LOCK"
  echo "waiting for $HEAVY_LOCK ..." >&2
  flock 9
fi
measure
if [ -n "$HEAVY_LOCK" ]; then flock -u 9; fi

# RESULT impl=before|engine ... batch=B ... prefill_tok_s=X decode_tok_s=Y alloc_bytes_per_token=Z
awk '
  /^RESULT/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    side = f["impl"] == "before" ? "before" : "after"; b = f["batch"]
    if (!(b in seen)) { seen[b] = 1; order[++n] = b }
    pre[side, b] = f["prefill_tok_s"]; dec[side, b] = f["decode_tok_s"]; alloc[side, b] = f["alloc_bytes_per_token"]
  }
  function ratio(a, b) { return b > 0 && a != "" ? sprintf("%6.2fx", a / b) : "     -" }
  END {
    printf "\n%5s | %12s %12s %7s | %12s %12s %7s | %14s %14s\n", "batch", "prefill bef", "prefill aft", "ratio",
      "decode bef", "decode aft", "ratio", "B/token bef", "B/token aft"
    for (k = 1; k <= n; k++) {
      b = order[k]
      printf "%5s | %12.2f %12.2f %7s | %12.2f %12.2f %7s | %14.0f %14.0f\n", b, pre["before", b], pre["after", b],
        ratio(pre["after", b], pre["before", b]), dec["before", b], dec["after", b], ratio(dec["after", b], dec["before", b]),
        alloc["before", b], alloc["after", b]
    }
    print "(tokens/s; B/token: bytes allocated per decoded token, all threads, steady state)"
  }' "$results"
rm -f "$results"
