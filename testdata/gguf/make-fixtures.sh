#!/usr/bin/env bash
# Regenerates every file in testdata/gguf (see README.md). Needs: hymt-core compiled with its tests
# (mvn -pl hymt-core test-compile), a llama.cpp build (LLAMA_BIN, default /work/llama.cpp-build/build/bin), /work/py with gguf,
# torch, transformers, safetensors.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${LLAMA_BIN:-/work/llama.cpp-build/build/bin}
py=${PYTHON:-/work/py/bin/python}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
m2=${M2:-$HOME/.m2/repository}/com/fasterxml/jackson/core
cp="$root/hymt-core/target/classes:$root/hymt-core/target/test-classes:$(ls "$m2"/jackson-databind/2.21.0/*.jar):$(ls "$m2"/jackson-core/2.21.0/*.jar):$(ls "$m2"/jackson-annotations/2.21*/*.jar | head -1)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" dev.hymt4j.gguf.FixtureInputs "$work"
cp "$work/edge-f32.gguf" "$here/"
for t in Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q4_K Q5_K Q6_K; do
  "$bin/llama-quantize" --pure "$here/edge-f32.gguf" "$here/edge-$t.gguf" "$t" 1 > /dev/null
done
for t in Q8_0 Q4_0 Q4_K_M Q6_K; do
  "$bin/llama-quantize" "$work/tiny-f32.gguf" "$here/tiny-$t.gguf" "$t" 1 > /dev/null
done
for t in Q5_K_M F16 BF16; do
  "$bin/llama-quantize" "$work/tiny-f32.gguf" "$work/tiny-$t.gguf" "$t" 1 > /dev/null
done
(cd "$work" && sha256sum tiny-f32.gguf tiny-Q5_K_M.gguf tiny-F16.gguf tiny-BF16.gguf) > "$here/SHA256SUMS"
(cd "$here" && sha256sum edge-*.gguf tiny-Q*.gguf) >> "$here/SHA256SUMS"
(cd "$here" && "$py" make_reference.py)
