/**
 * Builds small tokenizer.json files for the tests: a byte-level BPE (GPT-2 alphabet) and a
 * SentencePiece-style BPE (▁, byte fallback), with vocabularies and merges trained here on a corpus.
 */
import { BYTE_TO_CHAR, utf8Into } from '../../../src/core/tokenize/bytes';

/** Greedy BPE training: most frequent pair first, ties by the pair's text. Deterministic. */
export function trainMerges(words: Map<string[], number> | Array<[string[], number]>, count: number): Array<[string, string]> {
  const ws = [...words].map(([w, n]) => ({ w: [...w], n }));
  const merges: Array<[string, string]> = [];
  for (let k = 0; k < count; k++) {
    const pairs = new Map<string, number>();
    for (const { w, n } of ws) for (let i = 0; i + 1 < w.length; i++) pairs.set(w[i] + '\u0000' + w[i + 1], (pairs.get(w[i] + '\u0000' + w[i + 1]) ?? 0) + n);
    let best: string | null = null;
    let bestN = 1;
    for (const [p, n] of pairs) if (n > bestN || (n === bestN && best !== null && p < best)) [best, bestN] = [p, n];
    if (best === null) break;
    const [a, b] = best.split('\u0000');
    merges.push([a, b]);
    for (const x of ws) {
      const out: string[] = [];
      for (let i = 0; i < x.w.length; i++) {
        if (i + 1 < x.w.length && x.w[i] === a && x.w[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(x.w[i]);
      }
      x.w = out;
    }
  }
  return merges;
}

function countWords(pieces: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of pieces) m.set(p, (m.get(p) ?? 0) + 1);
  return m;
}

const GPT2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function byteLevelModel(corpus: string, mergeCount: number): { vocab: Record<string, number>; merges: Array<[string, string]> } {
  const words = countWords(corpus.match(GPT2) ?? []);
  const bytes: number[] = [];
  const seqs: Array<[string[], number]> = [...words].map(([w, n]) => {
    const len = utf8Into(w, bytes);
    return [bytes.slice(0, len).map((b) => BYTE_TO_CHAR[b]), n];
  });
  const merges = trainMerges(seqs, mergeCount);
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((c, i) => (vocab[c] = i));
  let id = 256;
  for (const [a, b] of merges) if (vocab[a + b] === undefined) vocab[a + b] = id++;
  return { vocab, merges };
}

export function sentencePieceModel(corpus: string, mergeCount: number): { vocab: Record<string, number>; merges: Array<[string, string]> } {
  const text = '▁' + corpus.replaceAll(' ', '▁');
  const words = countWords(text.split(/(?=▁)/u));
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  let id = 3;
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = id++;
  // Only Latin letters, digits, ▁ and a few signs are in the vocabulary: the rest goes through byte fallback.
  const chars = [...new Set([...text])].filter((c) => /[A-Za-z0-9▁(){};.,:="']/u.test(c)).sort();
  for (const c of chars) vocab[c] = id++;
  const seqs: Array<[string[], number]> = [...words].map(([w, n]) => [[...w].map((c) => (vocab[c] !== undefined ? c : '\u0001')), n]);
  const merges = trainMerges(seqs, mergeCount).filter(([a, b]) => !a.includes('\u0001') && !b.includes('\u0001'));
  for (const [a, b] of merges) if (vocab[a + b] === undefined) vocab[a + b] = id++;
  return { vocab, merges };
}

const added = (id: number, content: string, special: boolean, extra: Record<string, boolean> = {}) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special,
  ...extra,
});

/** GPT-2 style: ByteLevel pre-tokenizer with its regex, "a b" merges, one special and one normal added token. */
export function gpt2Json(corpus: string): string {
  const { vocab, merges } = byteLevelModel(corpus, 400);
  const n = Object.keys(vocab).length;
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [added(n, '<|endoftext|>', true), added(n + 1, '<custom>', false)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  });
}

/**
 * Llama 3 style with Oniguruma features: (?i:..), possessive ?+ and ++, an atomic group, \p{N}{1,3};
 * NFKC + Lowercase normalizer, Digits, prefix space, array merges, ignore_merges.
 */
export function llamaLikeJson(corpus: string): string {
  const { vocab, merges } = byteLevelModel(corpus.toLowerCase(), 300);
  const n = Object.keys(vocab).length;
  const regex = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}| ?(?>[^\\s\\p{L}\\p{N}]+)[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  return JSON.stringify({
    version: '1.0',
    added_tokens: [added(n, '<|begin_of_text|>', true), added(n + 1, '<sep>', false, { lstrip: true, rstrip: true })],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false },
        { type: 'Digits', individual_digits: false },
        { type: 'Split', pattern: { String: '_' }, behavior: 'MergedWithNext', invert: false },
        { type: 'Split', pattern: { String: '.' }, behavior: 'MergedWithPrevious', invert: false },
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }], pair: [{ Sequence: { id: 'A', type_id: 0 } }], special_tokens: {} },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges },
  });
}

/** Llama 2 style SentencePiece BPE: Prepend + Replace normalizer, no pre-tokenizer, byte fallback, decoder chain. */
export function llama2Json(corpus: string): string {
  const { vocab, merges } = sentencePieceModel(corpus, 300);
  return JSON.stringify({
    version: '1.0',
    added_tokens: [added(0, '<unk>', true), added(1, '<s>', true), added(2, '</s>', true), added(Object.keys(vocab).length, 'my token', false, { normalized: true })],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  });
}

/** Metaspace pre-tokenizer (prepend "first", split), unk without byte fallback (fused unknowns). */
export function metaspaceJson(corpus: string): string {
  const { vocab, merges } = sentencePieceModel(corpus, 200);
  return JSON.stringify({
    version: '1.0',
    added_tokens: [added(0, '<unk>', true), added(Object.keys(vocab).length, '<custom>', false)],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: false, vocab, merges },
  });
}

/** Byte-level BPE with a given pre-tokenizer (real models' regexes), "a b" merges. */
export function byteLevelWith(corpus: string, preTokenizer: unknown, ignoreMerges = false): string {
  const { vocab, merges } = byteLevelModel(corpus, 300);
  const n = Object.keys(vocab).length;
  return JSON.stringify({
    version: '1.0',
    added_tokens: [added(n, '<fim_prefix>', true), added(n + 1, '<file_sep>', true)],
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: ignoreMerges,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  });
}

/** StarCoder2: individual digits, then ByteLevel with the GPT-2 regex. */
export const STARCODER2_PRE = {
  type: 'Sequence',
  pretokenizers: [
    { type: 'Digits', individual_digits: true },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  ],
};

/** GPT-4o (o200k) style regex. */
export const O200K_PRE = {
  type: 'Sequence',
  pretokenizers: [
    {
      type: 'Split',
      pattern: {
        Regex:
          "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      },
      behavior: 'Isolated',
      invert: false,
    },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
  ],
};

/** DeepSeek-Coder style: several Isolated splits, including explicit CJK ranges. */
export const DEEPSEEK_PRE = {
  type: 'Sequence',
  pretokenizers: [
    { type: 'Split', pattern: { Regex: '[\\r\\n]' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { Regex: '\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕ]+' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { Regex: '\\s?[!-/:-~！-／：-～‘-‟　-。]+' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { Regex: '\\s+$' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { Regex: '[一-龥ࠀ-一가-퟿]+' }, behavior: 'Isolated', invert: false },
    { type: 'Digits', individual_digits: true },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
  ],
};

/** Char-level BPE with continuing_subword_prefix "##" and end_of_word_suffix "</w>", WhitespaceSplit. */
export function affixJson(corpus: string): string {
  const words = countWords(corpus.split(/\s+/u).filter((w) => w.length > 0));
  const P = '##';
  const S = '</w>';
  const vocab: Record<string, number> = { '<unk>': 0 };
  let id = 1;
  const add = (t: string) => {
    if (vocab[t] === undefined) vocab[t] = id++;
  };
  const seqs: Array<{ w: string[]; n: number }> = [];
  for (const [w, n] of words) {
    const chars = [...w];
    const syms = chars.map((c, i) => (i > 0 ? P : '') + c + (i === chars.length - 1 ? S : ''));
    syms.forEach(add);
    seqs.push({ w: syms, n });
  }
  const merges: Array<[string, string]> = [];
  for (let k = 0; k < 150; k++) {
    const pairs = new Map<string, number>();
    for (const { w, n } of seqs) for (let i = 0; i + 1 < w.length; i++) pairs.set(w[i] + '\u0000' + w[i + 1], (pairs.get(w[i] + '\u0000' + w[i + 1]) ?? 0) + n);
    let best: string | null = null;
    let bestN = 1;
    for (const [p, n] of pairs) if (n > bestN || (n === bestN && best !== null && p < best)) [best, bestN] = [p, n];
    if (best === null) break;
    const [a, b] = best.split('\u0000');
    const merged = a + b.slice(P.length);
    merges.push([a, b]);
    add(merged);
    for (const x of seqs) {
      const out: string[] = [];
      for (let i = 0; i < x.w.length; i++) {
        if (i + 1 < x.w.length && x.w[i] === a && x.w[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(x.w[i]);
      }
      x.w = out;
    }
  }
  return JSON.stringify({
    version: '1.0',
    added_tokens: [added(0, '<unk>', true)],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: P, end_of_word_suffix: S, fuse_unk: false, byte_fallback: false, vocab, merges },
  });
}
