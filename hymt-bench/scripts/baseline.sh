#!/usr/bin/env bash
# Same-shape baselines for issue 14, back to back with hymt's own figures, on one host:
#   llama.cpp llama-bench (prefill P, decode D) and llama-batched-bench (B sequences of P + D),
#   PyTorch's LoRA step (fp32 and bf16 autocast) and bf16 prefill/decode,
#   hymt bench --json (same P, D, B, threads). Our LoRA step: LoraTrainBench (see its javadoc).
#
# Usage: hymt-bench/scripts/baseline.sh HF_MODEL_DIR [GGUF_FILE]
# Environment:
#   LLAMA_CPP_BIN  folder with llama-bench and llama-batched-bench (skipped when unset or missing)
#   PYTHON         python with torch (default: python3; the torch steps are skipped without torch)
#   THREADS (2), PROMPT (128), DECODE (40), BATCH (16), LAYERS (32, the torch model), STEPS (3)
# Prints each tool's own result line, prefixed with the tool's name, plus host and load average.
# It builds nothing: llama.cpp must be built beforehand (CPU, no AMX where AMX traps).
set -euo pipefail
MODEL=${1:?usage: baseline.sh HF_MODEL_DIR [GGUF_FILE]}
GGUF=${2:-}
THREADS=${THREADS:-2} PROMPT=${PROMPT:-128} DECODE=${DECODE:-40} BATCH=${BATCH:-16} LAYERS=${LAYERS:-32} STEPS=${STEPS:-3}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# oneDNN inside PyTorch trusts cpuid; keep it below AMX like our own backend.
export ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX512_CORE_BF16}

echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cpus; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "shapes: threads $THREADS, prompt $PROMPT, decode $DECODE, batch $BATCH"

if [[ -n "$GGUF" && -x "${LLAMA_CPP_BIN:-}/llama-bench" ]]; then
  echo "llama-bench: $("$LLAMA_CPP_BIN/llama-bench" -m "$GGUF" -t "$THREADS" -p "$PROMPT" -n "$DECODE" -r 3 -o jsonl | tr '\n' ' ')"
  if [[ -x "$LLAMA_CPP_BIN/llama-batched-bench" ]]; then
    "$LLAMA_CPP_BIN/llama-batched-bench" -m "$GGUF" -t "$THREADS" -c $(( BATCH * (PROMPT + DECODE) + 64 )) \
      -b 2048 -ub 512 -npp "$PROMPT" -ntg "$DECODE" -npl "1,$BATCH" 2>/dev/null | sed 's/^/llama-batched-bench: /'
  fi
else
  echo "llama.cpp: skipped (give a GGUF file and LLAMA_CPP_BIN)"
fi

"$ROOT/hymt" bench --model "$MODEL" --threads "$THREADS" --prompt-tokens "$PROMPT" --decode-tokens "$DECODE" --json 2>/dev/null | sed 's/^/hymt bench: /'
"$ROOT/hymt" bench --model "$MODEL" --threads "$THREADS" --prompt-tokens "$PROMPT" --decode-tokens "$DECODE" --batch "$BATCH" --json 2>/dev/null | sed 's/^/hymt bench batched: /'

if "$PYTHON" -c 'import torch' 2>/dev/null; then
  export TORCH_THREADS=$THREADS
  echo "torch bf16 infer: $("$PYTHON" "$HERE/torch_lora_step_bf16.py" prefill "$LAYERS" "$PROMPT" "$DECODE" 2)"
  echo "torch fp32 train: $("$PYTHON" "$HERE/torch_lora_step.py" "$LAYERS" 1 128 0 "$STEPS")"
  echo "torch bf16 train: $("$PYTHON" "$HERE/torch_lora_step_bf16.py" train "$LAYERS" 1 128 0 "$STEPS")"
else
  echo "torch: skipped ($PYTHON has no torch)"
fi
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
