#!/usr/bin/env bash
# Issue 14's target table, one host, back to back: every `hymt bench` case, each of which runs its outside
# baseline right after our figure on the same shape (llama.cpp's llama-bench / llama-batched-bench on the same
# weights as GGUF, PyTorch's LoRA step from this folder) and prints the ratio:
#   decode + prefill (P=128, D=16) per format; one sentence 1 x (40 + 40) and 16 sentences batched through the
#   engine; the LoRA step 1x128 and 4x64 (r 16, all seven projections) vs PyTorch fp32 and bf16 autocast;
#   the memory-stream floor.
#
# Usage: hymt-bench/scripts/baseline.sh BF16_MODEL_DIR BF16_GGUF [QUANTIZED.gguf ...]
#   BF16_MODEL_DIR and BF16_GGUF hold the same weights (the GGUF is llama.cpp's copy); each QUANTIZED.gguf is
#   measured by us and by llama.cpp from the same file (needs hymt's GGUF loader).
# Environment:
#   LLAMA_CPP_BIN  folder with llama-bench and llama-batched-bench (baselines skipped when unset)
#   PYTHON         python with torch (default python3; the PyTorch baselines are skipped without torch)
#   THREADS (2), PROMPT (128), DECODE (16), STEPS (2), CASES ("step sentences sentences16 lora stream"),
#   SENTENCE_FORMATS (the formats whose sentences are measured: "Q4_K_M"; "all" for every model given), JSON (0|1),
#   LORA_BACKENDS (the training backends of the lora case: "java onednn"), STEP_BACKENDS (the inference backends
#   of the step and sentences cases: "java onednn"; onednn is BF16 compute for 16+ tokens, 8+ from Q8_0/Q4_0/Q4_K
#   weights, as translate --backend onednn)
# On a shared machine run it under `flock /tmp/hymt-heavy.lock`. It builds nothing but hymt itself (./hymt).
set -euo pipefail
MODEL=${1:?usage: baseline.sh BF16_MODEL_DIR BF16_GGUF [QUANTIZED.gguf ...]}
BF16_GGUF=${2:?usage: baseline.sh BF16_MODEL_DIR BF16_GGUF [QUANTIZED.gguf ...]}
shift 2
THREADS=${THREADS:-2} PROMPT=${PROMPT:-128} DECODE=${DECODE:-16} STEPS=${STEPS:-2}
CASES=${CASES:-step sentences sentences16 lora stream} SENTENCE_FORMATS=${SENTENCE_FORMATS:-Q4_K_M} JSON=${JSON:-0}
LORA_BACKENDS=${LORA_BACKENDS:-java onednn} STEP_BACKENDS=${STEP_BACKENDS:-java onednn}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export PYTHON=${PYTHON:-python3}
# oneDNN inside PyTorch trusts cpuid: keep it below AMX where AMX traps (set ONEDNN_MAX_CPU_ISA= to lift).
export ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA-AVX512_CORE_BF16}
common=(--threads "$THREADS" --torch-scripts "$HERE" --python "$(command -v "$PYTHON" || echo "$PYTHON")")
[[ -n "${LLAMA_CPP_BIN:-}" ]] && common+=(--llama-cpp "$LLAMA_CPP_BIN")
[[ "$JSON" == 1 ]] && common+=(--json)

lscpu | head -20
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
bench() { echo "== $* (load $(cut -d' ' -f1-3 /proc/loadavg))"; "$ROOT/hymt" bench "${common[@]}" "$@" 2>&1 | grep -v '^WARNING'; }

# model, its llama.cpp copy, and the format name, for BF16 and each quantized file
models=("$MODEL|$BF16_GGUF|BF16")
for f in "$@"; do models+=("$f|$f|$(basename "$f" .gguf | sed 's/.*-//')"); done
for entry in "${models[@]}"; do
  IFS='|' read -r m g format <<<"$entry"
  for c in $CASES; do
    case $c in
      step) for b in $STEP_BACKENDS; do bench --model "$m" --gguf "$g" --case step --prompt-tokens "$PROMPT" --decode-tokens "$DECODE" --backend "$b"; done ;;
      sentences|sentences16)
        [[ "$SENTENCE_FORMATS" == all || " $SENTENCE_FORMATS " == *" $format "* ]] || continue
        for b in $STEP_BACKENDS; do
          bench --model "$m" --gguf "$g" --case sentences --prompt-tokens 40 --decode-tokens 40 --batch "$([[ $c == sentences ]] && echo 1 || echo 16)" --backend "$b"
        done ;;
      lora)
        [[ "$format" == BF16 ]] || continue
        for b in $LORA_BACKENDS; do
          bench --model "$m" --case lora --batch 1 --prompt-tokens 128 --steps "$STEPS" --backend "$b"
          bench --model "$m" --case lora --batch 4 --prompt-tokens 64 --steps "$STEPS" --backend "$b"
        done ;;
      stream) [[ "$format" == BF16 ]] && bench --model "$m" --case stream ;;
    esac
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
