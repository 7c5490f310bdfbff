/**
 * A Hugging Face tokenizer.json, loaded and run in plain TypeScript:
 * added tokens → normalizer → pre-tokenizer → BPE (cached) → ids (+ offsets), and back with the decoder.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assetPath } from '../assets';
import { BpeModel } from './bpe';
import { utf8DecodeBytes, utf8Into } from './bytes';
import { buildDecoder, DecoderFn } from './decoder';
import { MARKERS, Marker } from './markers';
import { buildNormalizer, escapeRe, Normalized, NormalizerFn, UnsupportedTokenizerError } from './normalizer';
import { buildPreTokenizer, PreTokenizer, walk } from './pretokenizer';

export interface Encoding {
  ids: number[];
  /** Per token: [start, end) in code units of the input string. */
  offsets?: Array<[number, number]>;
}

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
  single_word: boolean;
  normalized: boolean;
}

export interface Tokenizer {
  readonly source: string;
  readonly sha256: string;
  /** Size of the id space: base vocabulary plus added tokens (including markers once added). */
  readonly vocabSize: number;
  encode(text: string, opts?: { offsets?: boolean }): Encoding;
  /**
   * The ids a trainer's tokenizer gives `text` by default (Hugging Face without `split_special_tokens`): special
   * added tokens written in the text are recognised too. The engine's own `encode` never does that.
   */
  encodeAsTrainer(text: string): number[];
  /**
   * The number of tokens of `text`. With a `limit`, counting stops once it is exceeded: the result is
   * exact when it is ≤ limit, and some number > limit otherwise (budget checks need no more).
   */
  count(text: string, limit?: number): number;
  decode(ids: ArrayLike<number>): string;
  tokenToId(tok: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** The added tokens (special and not), by id. */
  addedTokens(): AddedToken[];
  withMarkers(): Record<Marker, number>;
  toJSON(): string;
  specialTokensJSON(): string;
}

/** Thrown (and caught by count) when a limited count is exceeded; not an Error: no stack to capture. */
const OVER_LIMIT = Symbol('over limit');

const KNOWN_POST = new Set(['ByteLevel', 'TemplateProcessing', 'RobertaProcessing', 'BertProcessing', 'Sequence']);

/* eslint-disable @typescript-eslint/no-explicit-any */
export class HfTokenizer implements Tokenizer {
  readonly sha256: string;
  private readonly normalizer: NormalizerFn | null;
  private readonly pre: PreTokenizer;
  private readonly model: BpeModel;
  private readonly decoder: DecoderFn | null;
  private readonly added = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, number>();
  private rawMatcher: RegExp | null = null;
  private normMatcher: RegExp | null = null;
  private readonly rawIds = new Map<string, number>();
  private readonly normIds = new Map<string, number>();
  private readonly normContentById = new Map<number, string>();
  private size: number;
  private readonly spanBytes: number[] = [];
  private readonly spanUnits: number[] = [];

  constructor(
    readonly source: string,
    private readonly raw: string,
  ) {
    this.sha256 = createHash('sha256').update(raw).digest('hex');
    const core = CORES.get(this.sha256) ?? parseCore(source, raw);
    CORES.delete(this.sha256);
    CORES.set(this.sha256, core);
    while (CORES.size > 4) CORES.delete(CORES.keys().next().value!);
    this.normalizer = core.normalizer;
    this.pre = core.pre;
    this.model = core.model;
    this.decoder = core.decoder;
    this.size = this.model.idToToken.length;
    for (const t of core.added) this.registerAdded({ ...t });
    this.rebuildMatcher();
  }

  get vocabSize(): number {
    return this.size;
  }

  private registerAdded(t: AddedToken): void {
    this.added.set(t.id, t);
    if (t.id < this.byteOff.length) this.byteOff[t.id] = -1; // its bytes are looked up again
    this.addedByContent.set(t.content, t.id);
    this.size = Math.max(this.size, t.id + 1);
  }

  /**
   * Non-special added tokens are recognised in text, as Hugging Face does; special ones never are.
   * Tokens with normalized=false are matched on the raw text, normalized=true ones (their content
   * normalized too) on each normalized segment.
   */
  private rebuildMatcher(): void {
    const build = (toks: AddedToken[], content: (t: AddedToken) => string, into: Map<string, number>): RegExp | null => {
      into.clear();
      const alts = toks
        .map((t) => ({ t, c: content(t) }))
        .filter((x) => x.c.length > 0)
        .sort((a, b) => b.c.length - a.c.length || (a.c < b.c ? -1 : 1))
        .map(({ t, c }) => {
          if (!into.has(c)) into.set(c, t.id);
          let p = `(${escapeRe(c)})`;
          if (t.single_word) p = `(?<![\\p{L}\\p{N}_])${p}(?![\\p{L}\\p{N}_])`;
          if (t.lstrip) p = `\\s*${p}`;
          if (t.rstrip) p = `${p}\\s*`;
          return p;
        });
      return alts.length ? new RegExp(alts.join('|'), 'gu') : null;
    };
    const plain = [...this.added.values()].filter((t) => !t.special);
    const norm = this.normalizer;
    this.rawMatcher = build(
      plain.filter((t) => !t.normalized || !norm),
      (t) => t.content,
      this.rawIds,
    );
    this.normMatcher = norm
      ? build(
          plain.filter((t) => t.normalized),
          (t) => norm({ text: t.content, starts: null, ends: null }, false).text,
          this.normIds,
        )
      : null;
    // Like HF, a normalized added token's string (for idToToken and decode) is its normalized content.
    this.normContentById.clear();
    for (const [c, id] of this.normIds) this.normContentById.set(id, c);
  }

  /** Cuts `text` at the matches of `re`: calls onText for the gaps and onToken for the matches. */
  private splitAdded(text: string, re: RegExp, idOf: Map<string, number>, onText: (a: number, b: number) => void, onToken: (id: number, a: number, b: number) => void): void {
    re.lastIndex = 0;
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (m.index > last) onText(last, m.index);
      const content = m.slice(1).find((g) => g !== undefined)!;
      const inner = m.index + m[0].indexOf(content);
      onToken(idOf.get(content)!, inner, inner + content.length);
      last = m.index + m[0].length;
    }
    if (last < text.length) onText(last, text.length);
  }

  addedTokens(): AddedToken[] {
    return [...this.added.values()].sort((a, b) => a.id - b.id);
  }

  encode(text: string, opts?: { offsets?: boolean }): Encoding {
    const ids: number[] = [];
    const offsets: Array<[number, number]> | undefined = opts?.offsets ? [] : undefined;
    this.encodeInto(text, ids, offsets);
    return offsets ? { ids, offsets } : { ids };
  }

  private encodeInto(text: string, ids: number[], offsets: Array<[number, number]> | undefined): void {
    if (this.rawMatcher) {
      this.splitAdded(
        text,
        this.rawMatcher,
        this.rawIds,
        (a, b) => this.encodeSegment(a === 0 && b === text.length ? text : text.slice(a, b), a, ids, offsets),
        (id, a, b) => {
          ids.push(id);
          offsets?.push([a, b]);
        },
      );
    } else if (text.length > 0) {
      this.encodeSegment(text, 0, ids, offsets);
    }
  }

  encodeAsTrainer(text: string): number[] {
    if (this.specialMatcherFor !== this.size) {
      const specials = [...this.added.values()].filter((t) => t.special && t.content.length > 0);
      const alts = specials.sort((a, b) => b.content.length - a.content.length || (a.content < b.content ? -1 : 1)).map((t) => `(${escapeRe(t.content)})`);
      this.specialMatcher = alts.length ? new RegExp(alts.join('|'), 'gu') : null;
      this.specialIds = new Map(specials.map((t) => [t.content, t.id]));
      this.specialMatcherFor = this.size;
    }
    if (!this.specialMatcher) return this.encode(text).ids;
    const ids: number[] = [];
    this.splitAdded(
      text,
      this.specialMatcher,
      this.specialIds,
      (a, b) => this.encodeInto(text.slice(a, b), ids, undefined),
      (id) => ids.push(id),
    );
    return ids;
  }

  private specialMatcher: RegExp | null = null;
  private specialMatcherFor = -1;
  private specialIds = new Map<string, number>();

  count(text: string, limit = Infinity): number {
    if (limit === Infinity) return this.encode(text).ids.length;
    const ids: number[] = [];
    this.limit = limit;
    try {
      this.encodeInto(text, ids, undefined);
    } catch (e) {
      if (e !== OVER_LIMIT) throw e;
    } finally {
      this.limit = Infinity;
    }
    return ids.length;
  }

  /** While count() runs with a limit: preTokenize stops (throws OVER_LIMIT) once more ids than this are out. */
  private limit = Infinity;

  private encodeSegment(seg: string, base: number, ids: number[], offsets: Array<[number, number]> | undefined): void {
    let n: Normalized = { text: seg, starts: null, ends: null };
    if (this.normalizer) n = this.normalizer(n, !!offsets);
    const norm = n;
    const toOrig = (i: number, isEnd: boolean): number => {
      if (!norm.starts) return base + i;
      if (norm.text.length === 0) return base;
      if (isEnd) return base + (i > 0 ? norm.ends![i - 1] : norm.starts[0]);
      return base + (i < norm.text.length ? norm.starts[i] : norm.ends![norm.text.length - 1]);
    };
    if (!this.normMatcher) {
      this.preTokenize(norm.text, 0, base, ids, offsets, toOrig);
      return;
    }
    this.splitAdded(
      norm.text,
      this.normMatcher,
      this.normIds,
      (a, b) => this.preTokenize(norm.text.slice(a, b), a, toOrig(a, false), ids, offsets, toOrig),
      (id, a, b) => {
        ids.push(id);
        offsets?.push([toOrig(a, false), toOrig(b, true)]);
      },
    );
  }

  /** Pre-tokenizes normalized text (starting at `at` in the normalized segment) and runs the model. */
  private preTokenize(text: string, at: number, origin: number, ids: number[], offsets: Array<[number, number]> | undefined, toOrig: (i: number, isEnd: boolean) => number): void {
    const model = this.model;
    this.pre.ctx.base = origin;
    const re = this.pre.isolated;
    if (!offsets && re) {
      // the matches of the split regex and the gaps between them, straight to the model
      walk(re, text, (a, b) => {
        const rid = model.tokenize(a === 0 && b === text.length ? text : text.slice(a, b)).ids;
        for (let k = 0; k < rid.length; k++) ids.push(rid[k]);
        if (ids.length > this.limit) throw OVER_LIMIT;
      });
      return;
    }
    if (!offsets) {
      this.pre.run(text, at, 0, (piece) => {
        const rid = model.tokenize(piece).ids;
        for (let k = 0; k < rid.length; k++) ids.push(rid[k]);
        if (ids.length > this.limit) throw OVER_LIMIT;
      });
      return;
    }
    this.pre.run(text, at, 0, (piece, start, shift) => {
      const r = model.tokenize(piece);
      let unitOf: number[] | null = null;
      if (model.byteLevel) {
        unitOf = this.spanUnits;
        utf8Into(piece, this.spanBytes, unitOf);
      }
      for (let k = 0; k < r.ids.length; k++) {
        ids.push(r.ids[k]);
        let a = r.spans[2 * k];
        let b = r.spans[2 * k + 1];
        if (unitOf) {
          const lastUnit = unitOf[b - 1];
          const hi = piece.charCodeAt(lastUnit);
          const wide = hi >= 0xd800 && hi <= 0xdbff && lastUnit + 1 < piece.length && (piece.charCodeAt(lastUnit + 1) & 0xfc00) === 0xdc00;
          a = unitOf[a];
          b = lastUnit + (wide ? 2 : 1);
        }
        const na = start + Math.max(0, a - shift);
        const nb = start + Math.max(0, b - shift);
        const oa = toOrig(na, false);
        const ob = nb > na ? toOrig(nb, true) : oa;
        offsets.push([oa, Math.max(oa, ob)]);
      }
    });
  }

  decode(ids: ArrayLike<number>): string {
    if (this.decoder?.tokenBytes) return this.decodeBytes(ids, this.decoder.tokenBytes);
    const toks: string[] = [];
    for (let i = 0; i < ids.length; i++) toks.push(this.tokenOf(ids[i]));
    if (!this.decoder) return toks.join(' ');
    return this.decoder(toks).join('');
  }

  private tokenOf(id: number): string {
    const t = this.idToToken(id);
    if (t === undefined) throw new RangeError(`decode: id ${id} is outside the vocabulary (size ${this.size})`);
    return t;
  }

  /**
   * Byte-level decoding: each id's bytes are looked up once per tokenizer and appended to one flat table
   * (byteOff/byteLen index it), copied from there into one buffer, UTF-8 decoded once. Only typed arrays
   * in the loop.
   */
  private byteOff = new Int32Array(0);
  private byteLen = new Int32Array(0);
  private byteFlat = new Uint8Array(1 << 16);
  private byteFlatUsed = 0;
  private decodeBuf = new Uint8Array(1 << 16);
  private decodeBytes(ids: ArrayLike<number>, bytesOf: (token: string) => Uint8Array): string {
    let n = 0;
    let buf = this.decodeBuf;
    let off = this.byteOff;
    let flat = this.byteFlat;
    const count = ids.length;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      let o = id < off.length ? off[id] : -1;
      if (o < 0) {
        o = this.addTokenBytes(id, bytesOf(this.tokenOf(id)));
        off = this.byteOff;
        flat = this.byteFlat;
      }
      const l = this.byteLen[id];
      if (n + l > buf.length) {
        const bigger = new Uint8Array(Math.max(buf.length * 2, n + l));
        bigger.set(buf.subarray(0, n));
        buf = this.decodeBuf = bigger;
      }
      for (let k = 0; k < l; k++) buf[n + k] = flat[o + k];
      n += l;
    }
    const s = utf8DecodeBytes(buf.subarray(0, n));
    if (buf.length > 1 << 22) this.decodeBuf = new Uint8Array(1 << 16); // do not keep a huge one
    return s;
  }

  /** Appends an id's bytes to the flat table; returns their offset. */
  private addTokenBytes(id: number, b: Uint8Array): number {
    if (id >= this.byteOff.length) {
      const size = Math.max(id + 1, this.size, this.byteOff.length * 2);
      const off = new Int32Array(size).fill(-1);
      off.set(this.byteOff);
      const len = new Int32Array(size);
      len.set(this.byteLen);
      this.byteOff = off;
      this.byteLen = len;
    }
    if (this.byteFlatUsed + b.length > this.byteFlat.length) {
      const bigger = new Uint8Array(Math.max(this.byteFlat.length * 2, this.byteFlatUsed + b.length));
      bigger.set(this.byteFlat.subarray(0, this.byteFlatUsed));
      this.byteFlat = bigger;
    }
    const o = this.byteFlatUsed;
    this.byteFlat.set(b, o);
    this.byteFlatUsed += b.length;
    this.byteOff[id] = o;
    this.byteLen[id] = b.length;
    return o;
  }

  tokenToId(tok: string): number | undefined {
    return this.addedByContent.get(tok) ?? this.normIds.get(tok) ?? this.model.vocab.get(tok);
  }

  idToToken(id: number): string | undefined {
    return this.normContentById.get(id) ?? this.added.get(id)?.content ?? this.model.idToToken[id];
  }

  withMarkers(): Record<Marker, number> {
    const out = {} as Record<Marker, number>;
    for (const m of MARKERS) {
      let id = this.addedByContent.get(m);
      if (id === undefined) {
        id = this.model.vocab.get(m) ?? this.size;
        this.registerAdded({ id, content: m, special: true, lstrip: false, rstrip: false, single_word: false, normalized: false });
      }
      out[m] = id;
    }
    this.rebuildMatcher();
    return out;
  }

  toJSON(): string {
    const j = JSON.parse(this.raw);
    j.added_tokens = this.addedTokens().map((t) => ({
      id: t.id,
      content: t.content,
      single_word: t.single_word,
      lstrip: t.lstrip,
      rstrip: t.rstrip,
      normalized: t.normalized,
      special: t.special,
    }));
    return JSON.stringify(j);
  }

  specialTokensJSON(): string {
    const specials = this.addedTokens().filter((t) => t.special);
    const markers = new Set<string>(MARKERS);
    return (
      JSON.stringify(
        {
          additional_special_tokens: specials.filter((t) => markers.has(t.content)).map((t) => t.content),
          special_tokens: Object.fromEntries(specials.map((t) => [t.content, t.id])),
        },
        null,
        2,
      ) + '\n'
    );
  }
}

/** The immutable parts of a loaded tokenizer.json, shared by every Tokenizer made from the same bytes. */
interface Core {
  normalizer: NormalizerFn | null;
  pre: PreTokenizer;
  model: BpeModel;
  decoder: DecoderFn | null;
  added: AddedToken[];
}

const CORES = new Map<string, Core>();

function parseCore(source: string, raw: string): Core {
  let j: any;
  try {
    j = JSON.parse(raw);
  } catch (e) {
    throw new UnsupportedTokenizerError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  try {
    if (!j || typeof j !== 'object' || !j.model) throw new UnsupportedTokenizerError('no "model" section (is this a tokenizer.json?)');
    if (j.post_processor && !KNOWN_POST.has(j.post_processor.type)) throw new UnsupportedTokenizerError(`unsupported post-processor "${j.post_processor.type}"`);
    const pre = buildPreTokenizer(j.pre_tokenizer);
    const added: AddedToken[] = ((j.added_tokens ?? []) as any[]).map((t) => ({
      id: t.id,
      content: t.content,
      special: !!t.special,
      lstrip: !!t.lstrip,
      rstrip: !!t.rstrip,
      single_word: !!t.single_word,
      normalized: !!t.normalized,
    }));
    return { normalizer: buildNormalizer(j.normalizer), pre, model: new BpeModel(j.model, pre.byteLevel), decoder: buildDecoder(j.decoder), added };
  } catch (e) {
    if (e instanceof UnsupportedTokenizerError) throw new UnsupportedTokenizerError(`${source}: ${e.message}`);
    // a file of the wrong shape fails somewhere inside the model's tables: one sentence, not a TypeError
    throw new UnsupportedTokenizerError(`${source} is not a usable Hugging Face tokenizer.json (${(e as Error)?.message ?? String(e)})`);
  }
}

/** The sha256 a tokenizer loaded from `source` has (Tokenizer.sha256), without parsing it. */
export function tokenizerSha256(source?: string): string {
  return createHash('sha256')
    .update(readTokenizerFile(tokenizerFile(source)))
    .digest('hex');
}

/**
 * Largest tokenizer.json accepted. Real ones are 2–35 MB (Qwen3 11 MB, Gemma 3 33 MB); parsing takes ~20×
 * the size in memory, so a larger file is refused with a clear message instead of swamping the machine.
 */
export const MAX_TOKENIZER_BYTES = 64 << 20;

/** The text of a tokenizer file, after checking that it is a regular file of a sane size that starts like JSON. */
function readTokenizerFile(file: string): string {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new UnsupportedTokenizerError(`${file} is not a regular file (a tokenizer.json is expected)`);
  if (st.size > MAX_TOKENIZER_BYTES)
    throw new UnsupportedTokenizerError(`${file} is ${(st.size / 2 ** 20).toFixed(0)} MiB; a tokenizer.json of at most ${MAX_TOKENIZER_BYTES / 2 ** 20} MiB is expected`);
  const text = fs.readFileSync(file, 'utf8');
  if (!/^\uFEFF?\s*\{/.test(text.slice(0, 4096))) throw new UnsupportedTokenizerError(`${file} is not a tokenizer.json (it does not start with a JSON object)`);
  return text;
}

/** A path to tokenizer.json or to a folder holding one; undefined → the bundled Qwen3 tokenizer. */
export function loadTokenizer(source?: string): Tokenizer {
  const file = tokenizerFile(source);
  return new HfTokenizer(file, readTokenizerFile(file));
}

/** The tokenizer.json file loadTokenizer(source) reads. */
export function tokenizerFile(source?: string): string {
  let file = source ?? assetPath('tokenizer-qwen3');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UnsupportedTokenizerError(`tokenizer not found: ${file}`);
  }
  if (stat.isDirectory()) {
    const inner = path.join(file, 'tokenizer.json');
    if (!fs.existsSync(inner)) throw new UnsupportedTokenizerError(`no tokenizer.json in folder ${file}`);
    file = inner;
  }
  return file;
}

/** Builds a tokenizer from the text of a tokenizer.json (tests, in-memory use). */
export function tokenizerFromJSON(json: string, source = '<memory>'): Tokenizer {
  return new HfTokenizer(source, json);
}
