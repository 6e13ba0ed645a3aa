"""Print, as a JSON array, the ids of a byte-level-BPE GGUF's tokens whose bytes are not valid UTF-8 on their own.

llama-server (9749) parses every completion's text, /v1/completions and /completion included, with its chat parser,
which fails on malformed UTF-8 and ends the stream with a 500 error chunk and no usage. A random-weight model samples
byte fragments such as "ä¸" freely, so serve-bench.sh bans these tokens on llama-server (logit_bias false). The work
per generated token does not depend on which token is sampled: the figures stay comparable.

Usage: /work/py/bin/python incomplete-utf8-tokens.py MODEL.gguf > ban.json
"""
import json
import sys

from gguf import GGUFReader


def byte_decoder():
    # GPT-2's bytes_to_unicode, inverted: each of the 256 bytes is written as one printable character.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


reader = GGUFReader(sys.argv[1])
fields = reader.fields
model = bytes(fields["tokenizer.ggml.model"].parts[fields["tokenizer.ggml.model"].data[0]]).decode()
if model != "gpt2":
    sys.exit(f"{sys.argv[1]}: tokenizer model {model}, expected byte-level BPE (gpt2)")
tokens = fields["tokenizer.ggml.tokens"]
types = fields["tokenizer.ggml.token_type"]
decoder = byte_decoder()
banned = []
for token_id, (name_index, type_index) in enumerate(zip(tokens.data, types.data)):
    if int(types.parts[type_index][0]) != 1:  # only NORMAL tokens are decoded byte-wise
        continue
    name = bytes(tokens.parts[name_index]).decode("utf-8")
    if not all(c in decoder for c in name):
        continue  # not a byte-level name (e.g. "[PAD5000]" is plain ASCII and maps to itself)
    try:
        bytes(decoder[c] for c in name).decode("utf-8")
    except UnicodeDecodeError:
        banned.append(token_id)
print(json.dumps(banned))
print(f"{sys.argv[1]}: {len(banned)} of {len(tokens.data)} tokens are not valid UTF-8 alone", file=sys.stderr)
