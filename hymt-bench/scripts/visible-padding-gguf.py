"""Copy a GGUF with its UNUSED vocabulary entries (e.g. "[PAD5000]") marked NORMAL, for serve-bench.sh.

A random-weight 1.8B-shape model made by `hymt init-demo --full-size` has a 4,000-token demo tokenizer padded to
the 120,818-entry vocabulary; 97% of what it samples is padding, which both servers decode to "" and so never
stream: time to first token could not be seen. Marked NORMAL, "[PAD5000]" decodes to its visible ASCII name on
both servers, each generated token streams one chunk (as a real model's text does), and the weights, the prompt's
tokens and the work per token stay exactly those of the source file (only token_type values change).

Usage: /work/py/bin/python visible-padding-gguf.py SRC.gguf DST.gguf   (DST must not exist; written atomically)
"""
import os
import shutil
import sys

from gguf import GGUFReader, GGUFValueType, TokenType

src, dst = sys.argv[1], sys.argv[2]
if os.path.exists(dst):
    sys.exit(f"{dst} exists; not overwriting it")
tmp = dst + ".tmp"
shutil.copyfile(src, tmp)
reader = GGUFReader(tmp, "r+")
types = reader.fields["tokenizer.ggml.token_type"]
if types.types != [GGUFValueType.ARRAY, GGUFValueType.INT32]:
    sys.exit(f"{src}: tokenizer.ggml.token_type is {types.types}, expected an INT32 array")
changed = 0
for index in types.data:
    part = types.parts[index]  # a one-element view into the mapped file
    if part[0] == TokenType.UNUSED:
        part[0] = TokenType.NORMAL
        changed += 1
reader.data.flush()
del reader
os.replace(tmp, dst)
print(f"{dst}: {changed} of {len(types.data)} tokens UNUSED -> NORMAL")
