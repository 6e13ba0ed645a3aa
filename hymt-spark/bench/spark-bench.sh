#!/usr/bin/env bash
# Benchmark (not a test) of hymt-spark against the single-JVM commands on this machine, same run, same inputs:
#  1. TranslateJob at local[2] vs `hymt translate --in/--out` on 20,000 lines (demo model, greedy, 32 new tokens);
#  2. PrepareJob at local[2] vs `hymt prepare` on a generated ~1 GB JSONL corpus (language id off, see below).
# Both outputs are compared byte for byte. Run from the repository root after
# `mvn -B -q package -DskipTests -pl hymt-spark -am`, under `flock /tmp/hymt-heavy.lock`.
# Scratch goes to /work/models/*-spark* and is deleted at the end.
set -euo pipefail
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
SCRATCH=${SCRATCH:-/work/models/bench-spark}
SIZE=${SIZE:-1073741824}
LINES=${LINES:-20000}
mkdir -p "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
VECTOR="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
SPARK_FLAGS=$(sed -n '/<spark.jvm.flags>/,/<\/spark.jvm.flags>/p' hymt-spark/pom.xml | sed 's/<[^>]*>//g' | tr '\n' ' ')
# Spark's own jars (what a cluster provides), from a throwaway pom that depends on spark-sql alone.
mkdir -p "$SCRATCH/cp"
cat > "$SCRATCH/cp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>spark-cp</artifactId><version>1</version>
  <dependencies><dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.13</artifactId>
    <version>$(sed -n 's/.*<spark.version>\(.*\)<\/spark.version>.*/\1/p' hymt-spark/pom.xml)</version></dependency></dependencies>
</project>
POM
mvn -B -q -f "$SCRATCH/cp/pom.xml" dependency:build-classpath -Dmdep.outputFile="$SCRATCH/cp.txt" >/dev/null
HYMT="$JAVA $VECTOR -Xmx6g -jar hymt-cli/target/hymt.jar"
SPARK="$JAVA $VECTOR $SPARK_FLAGS -Xmx6g -Dspark.master=local[2] -Dspark.ui.enabled=false -Dspark.driver.host=127.0.0.1
  -Dspark.driver.bindAddress=127.0.0.1 -Dspark.local.dir=$SCRATCH/spark-local
  -cp hymt-spark/target/hymt-spark.jar:$(cat "$SCRATCH/cp.txt") dev.hymt4j.spark.HymtSpark"
log4j="$SCRATCH/log4j2.properties"
printf 'rootLogger.level = warn\nrootLogger.appenderRef.stdout.ref = console\nappender.console.type = Console\nappender.console.name = console\nappender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %%p %%c{1}: %%m%%n\n' > "$log4j"
SPARK="${SPARK/-Dspark.master/-Dlog4j2.configurationFile=$log4j -Dspark.master}"

lscpu | head -15; echo "load: $(cat /proc/loadavg)"
# Seconds a command takes; its own output goes to stderr.
secs() { local s=$(date +%s.%N); "$@" >&2; echo "$(date +%s.%N) - $s" | bc; }

echo "== translate: $LINES lines =="
$HYMT init-demo "$SCRATCH/demo" >/dev/null 2>&1
find testdata/data -name '*.jsonl' ! -path '*raw*' | sort | xargs cat | python3 -c "
import json, sys
seen = []
for l in sys.stdin:
    seen.append(json.loads(l)['source'].replace('\n', ' '))
n = int(sys.argv[1]); out = [seen[i % len(seen)] for i in range(n)]
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')" "$LINES" "$SCRATCH/in.txt"
DEC="--to de --greedy --max-new-tokens 32"
echo "load before: $(cat /proc/loadavg)"
t_local=$(secs $HYMT translate --model "$SCRATCH/demo" $DEC --in "$SCRATCH/in.txt" --out "$SCRATCH/local.txt" 2>"$SCRATCH/local-tr.log")
t_spark=$(secs $SPARK translate --model "$SCRATCH/demo" $DEC --in "$SCRATCH/in.txt" --out "$SCRATCH/spark-tr" --partitions 8 2>"$SCRATCH/spark-tr.log")
tail -1 "$SCRATCH/spark-tr.log"
cat "$SCRATCH"/spark-tr/part-* | cmp - "$SCRATCH/local.txt" && echo "outputs identical"
echo "translate: hymt translate ${t_local}s, HymtSpark local[2] ${t_spark}s, overhead ratio $(echo "scale=2; $t_spark / $t_local" | bc)"
echo "load after: $(cat /proc/loadavg)"

[ "$SIZE" -gt 0 ] || exit 0   # SIZE=0: the translate half only
echo "== prepare: $SIZE bytes =="
python3 hymt-spark/bench/gen_corpus.py "$SCRATCH/corpus.jsonl" "$SIZE"
ls -la "$SCRATCH/corpus.jsonl"; wc -l < "$SCRATCH/corpus.jsonl"
OPTS="--disable language --seed 42"
echo "load before: $(cat /proc/loadavg)"
t_local=$(secs $HYMT prepare "$SCRATCH/corpus.jsonl" --out "$SCRATCH/prep-local" $OPTS 2>"$SCRATCH/local-prep.log")
t_spark=$(secs $SPARK prepare "$SCRATCH/corpus.jsonl" --out "$SCRATCH/prep-spark" $OPTS 2>"$SCRATCH/spark-prep.log")
for s in train valid test rejects; do cat "$SCRATCH"/prep-spark/$s/part-* | cmp - "$SCRATCH/prep-local/$s.jsonl" && echo "$s identical"; done
grep -E '"(read|kept|rejected)"' "$SCRATCH/prep-local/summary.json"
echo "prepare: hymt prepare ${t_local}s, HymtSpark local[2] ${t_spark}s, ratio $(echo "scale=2; $t_spark / $t_local" | bc)"
echo "load after: $(cat /proc/loadavg)"
