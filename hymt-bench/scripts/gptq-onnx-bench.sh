#!/bin/bash
# Issue 10 benchmarks, 1.8B shape, 2 threads, one script so that every figure comes from the same run:
#   1. GPTQ wall time and peak RSS: LAYERS layers of the 1.8B layer shape on 128 x 512 calibration tokens
#      (every layer has the same shape: time per layer x 32 = the model);
#   2. round-to-nearest int4 g128 GPTQ checkpoint of the full 32-layer model (no calibration);
#   3. ONNX Runtime int4 (MatMulNBits, accuracy levels 4 and 0) prefill/decode next to `hymt bench` on the same
#      GPTQ checkpoint.
# Usage (after `mvn -B package -DskipTests` and copying the jars somewhere stable, see below):
#   flock /tmp/hymt-heavy.lock hymt-bench/scripts/gptq-onnx-bench.sh JARS_DIR BF16_1.8B_DIR SCRATCH_DIR [LAYERS [STEPS]]
# STEPS: all (default), gptq (step 1 only) or ort (steps 2 and 3) — two shorter holds of the heavy lock.
# JARS_DIR holds hymt.jar (hymt-cli/target), hymt-bench-*.jar, onnxruntime-*.jar (~/.m2) and export-test-classes/
# (a copy of hymt-export/target/test-classes) — copies, so a rebuild does not pull jars from under a running JVM.
set -u
J=$1; MODEL=$2; SCRATCH=$3; LAYERS=${4:-1}; STEPS=${5:-all}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
ORT=$(ls $J/onnxruntime-*.jar | head -1)
echo "== host"; lscpu | head -15; uptime
if [ "$STEPS" != ort ]; then
echo "== GPTQ $LAYERS layer(s) of the 1.8B shape, 128 x 512 calibration tokens, 2 threads"
/usr/bin/time -v $JAVA_HOME/bin/java $FLAGS -Xmx10g -cp $J/hymt.jar:$(ls $J/hymt-bench-*.jar) dev.hymt4j.bench.GptqBench \
  $SCRATCH/gptq-bench-model $SCRATCH/gptq-bench-out $LAYERS 128 512 2 2>&1 | tr "\r" "\n" | grep -E "layer|GPTQ|Maximum resident|Elapsed|Exception|Error|exit status"
rm -rf $SCRATCH/gptq-bench-out; uptime
fi
[ "$STEPS" = gptq ] && exit 0
echo "== RTN int4 g128 of $MODEL"
[ -f $SCRATCH/gptq-rtn-g128/model.safetensors ] && echo "(reusing $SCRATCH/gptq-rtn-g128)" || \
/usr/bin/time -v $JAVA_HOME/bin/java $FLAGS -Xmx8g -jar $J/hymt.jar quantize --model $MODEL --method rtn --group-size 128 \
  --out $SCRATCH/gptq-rtn-g128 --threads 2 2>&1 | tr "\r" "\n" | grep -E "wrote|Maximum resident|Elapsed|rror|xception|exit status"
uptime
for level in 4 0; do
  echo "== ONNX Runtime int4, accuracy_level $level"
  $JAVA_HOME/bin/java $FLAGS -Xmx8g -cp $J/hymt.jar:$J/export-test-classes:$ORT dev.hymt4j.onnx.OrtThroughputBench \
    $SCRATCH/gptq-rtn-g128 $SCRATCH/gptq-onnx-int4-l$level $level 2>&1 | grep -E "round|export|Exception"
  uptime
done
echo "== hymt on the same GPTQ checkpoint"
$JAVA_HOME/bin/java $FLAGS -Xmx8g -jar $J/hymt.jar bench --model $SCRATCH/gptq-rtn-g128 --threads 2 --prompt-tokens 128 \
  --decode-tokens 32 --json 2>&1 | grep -E "^\{|weights read|peak RSS|load average"
echo "== GPTQ checkpoint -> GGUF Q4_0 (lossless), and hymt on that file (Q4_0 kernel, the same weights)"
rm -f $SCRATCH/gptq-rtn-g128-Q4_0.gguf
/usr/bin/time -v $JAVA_HOME/bin/java $FLAGS -Xmx8g -jar $J/hymt.jar quantize --model $SCRATCH/gptq-rtn-g128 --type Q4_0 \
  --out $SCRATCH/gptq-rtn-g128-Q4_0.gguf --threads 2 2>&1 | tr "\r" "\n" | grep -E "wrote|GPTQ|Maximum resident|Elapsed|rror|xception"
$JAVA_HOME/bin/java $FLAGS -Xmx8g -jar $J/hymt.jar bench --model $SCRATCH/gptq-rtn-g128-Q4_0.gguf --threads 2 --prompt-tokens 128 \
  --decode-tokens 32 --json 2>&1 | grep -E "^\{|weights read|peak RSS|load average"
uptime
