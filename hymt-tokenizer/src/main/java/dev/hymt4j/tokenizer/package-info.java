/**
 * Pure-Java byte-level BPE tokenizers for HY-MT and similar models, producing the same ids as the Hugging Face
 * {@code tokenizers} library.
 *
 * <ul>
 *   <li>{@link dev.hymt4j.tokenizer.Tokenizer} — load a {@code tokenizer.json}, a {@code .tiktoken} rank file or a
 *       model directory; encode, decode, look up tokens.</li>
 *   <li>{@link dev.hymt4j.tokenizer.EncodeOptions} — add the post-processor template or not; treat special-token
 *       text in the input as ids (Hugging Face default) or as plain text.</li>
 *   <li>{@link dev.hymt4j.tokenizer.StreamDecoder} — incremental decoding that never splits a character.</li>
 *   <li>{@link dev.hymt4j.tokenizer.BpeTrainer} — learn a byte-level BPE vocabulary and write a HY-style
 *       {@code tokenizer.json} + {@code tokenizer_config.json}.</li>
 *   <li>{@link dev.hymt4j.tokenizer.PreTokenizer}, {@link dev.hymt4j.tokenizer.HunyuanTokens},
 *       {@link dev.hymt4j.tokenizer.TiktokenConfig} — the configurable pieces (spec §4).</li>
 * </ul>
 *
 * Supported {@code tokenizer.json} subset: normalizers NFC/NFD/NFKC/NFKD/Lowercase/Sequence; pre-tokenizers
 * Sequence/Split/ByteLevel/Digits (ByteLevel last); model BPE (vocab, merges in both forms, ignore_merges,
 * unk_token); added tokens with all their flags; post-processors TemplateProcessing (single),
 * Roberta/BertProcessing, ByteLevel, Sequence; decoder ByteLevel. Anything else fails to load with a message
 * naming the file and the field.
 */
package dev.hymt4j.tokenizer;
