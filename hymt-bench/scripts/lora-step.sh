#!/usr/bin/env bash
# The LoRA training step of issue 14's Targets (1.8B shape, r 16 on all seven projections, 2 threads), ours and
# PyTorch's, back to back in one command, ROUNDS times:
#   ours: LoraTrainBench on the Java kernels (exact FP32), on oneDNN as the AMX probe decides, on oneDNN capped
#         below AMX (-Dhymt.onednn.amx=false);
#   PyTorch: fp32 (torch_lora_step.py) and bf16 autocast (torch_lora_step_bf16.py), each with oneDNN's default ISA
#         (AMX where the CPU has it) and capped (ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16).
# Every line is one tool's RESULT line, prefixed with what ran; host and load average before and after.
#
# Usage: hymt-bench/scripts/lora-step.sh BF16_MODEL_DIR
#   (a random 1.8B-shaped BF16 model: `LoraTrainBench write DIR 32` or `hymt init-demo DIR --full-size`)
# Environment: CP (class path of hymt-bench and its dependencies, see hymt-bench/README.md; required),
#   PYTHON (python with torch; torch runs are skipped without it), SHAPES ("1x128 4x64"), STEPS (3), ROUNDS (1),
#   LAYERS (32, the torch model: the same as the model's), THREADS (2), JAVA (java of $JAVA_HOME or PATH).
# On a shared machine run it under `flock /tmp/hymt-heavy.lock`.
set -euo pipefail
MODEL=${1:?usage: lora-step.sh BF16_MODEL_DIR}
: "${CP:?set CP to the class path of hymt-bench (see hymt-bench/README.md)}"
SHAPES=${SHAPES:-1x128 4x64} STEPS=${STEPS:-3} ROUNDS=${ROUNDS:-1} LAYERS=${LAYERS:-32} THREADS=${THREADS:-2}
PYTHON=${PYTHON:-python3}
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
HERE=$(cd "$(dirname "$0")" && pwd)
JFLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -Dhymt.threads="$THREADS" -cp "$CP")

lscpu | head -15
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
torch=1
"$PYTHON" -c 'import torch' 2>/dev/null || { torch=0; echo "torch: skipped ($PYTHON has no torch)"; }
for round in $(seq "$ROUNDS"); do
  for shape in $SHAPES; do
    b=${shape%x*} t=${shape#*x}
    echo "== round $round, batch $shape, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "ours java: $("$JAVA" "${JFLAGS[@]}" dev.hymt4j.bench.LoraTrainBench run "$MODEL" bf16 "$shape" off "$STEPS" java 2>&1 | grep RESULT)"
    echo "ours onednn (probe): $("$JAVA" "${JFLAGS[@]}" dev.hymt4j.bench.LoraTrainBench run "$MODEL" bf16 "$shape" off "$STEPS" onednn 2>&1 | grep -E 'RESULT|training backend' | tr '\n' ' ')"
    echo "ours onednn (capped): $("$JAVA" "${JFLAGS[@]}" -Dhymt.onednn.amx=false dev.hymt4j.bench.LoraTrainBench run "$MODEL" bf16 "$shape" off "$STEPS" onednn 2>&1 | grep RESULT)"
    if [[ $torch == 1 ]]; then
      export TORCH_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
      echo "torch fp32 (default ISA): $(env -u ONEDNN_MAX_CPU_ISA "$PYTHON" "$HERE/torch_lora_step.py" "$LAYERS" "$b" "$t" 0 "$STEPS")"
      echo "torch fp32 (capped): $(ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16 "$PYTHON" "$HERE/torch_lora_step.py" "$LAYERS" "$b" "$t" 0 "$STEPS")"
      echo "torch bf16 autocast (default ISA): $(env -u ONEDNN_MAX_CPU_ISA "$PYTHON" "$HERE/torch_lora_step_bf16.py" train "$LAYERS" "$b" "$t" 0 "$STEPS")"
      echo "torch bf16 autocast (capped): $(ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16 "$PYTHON" "$HERE/torch_lora_step_bf16.py" train "$LAYERS" "$b" "$t" 0 "$STEPS")"
    fi
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
