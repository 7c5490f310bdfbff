/**
 * Editor analysis in the worker: the enclosing semantic unit at a cursor (hover), token views of
 * texts and examples, and context-view payloads. Document analyses are cached by URI + version.
 */
import { createHash } from 'node:crypto';
import type { Unit } from '../core/chunk';
import { languageSpec } from '../core/chunk';
import { serializeExample } from '../core/tokenize';
import type { ChunkRecord, CommitInfo, CommitRecord, RepoReader } from '../core/types';
import { tokenViewFromIds, tokenViewFromText } from './payloads';
import type { ContextViewPayload, TokenViewPayload } from '../webview/protocol';
import { chunkerFor, repositoryAt, tokenizerFor, tokenizerName } from './engine';
import type { AnalyzeRequest, ContextViewRequest, ExampleViewRequest, UnitAnalysis } from './protocol';

interface DocAnalysis {
  units: Unit[];
  chunks: ChunkRecord[];
  head: string | null;
  perUnit: Map<string, UnitAnalysis>;
}

const docs = new Map<string, DocAnalysis>();
const DOC_CACHE = 32;

const EMPTY_READER: RepoReader = {
  listTree: async () => [],
  readBlob: async () => new Uint8Array(),
  readText: async () => null,
};

/** The git blob id the text would have (context items name the blob they come from). */
function blobOid(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}

function who(): CommitInfo['author'] {
  return { name: 'working tree', email: '', timestamp: 0, timezoneOffset: 0 };
}

/** Every unit of the document and the chunks it would give as a new file at HEAD (with their context). */
async function analyzeDocument(req: AnalyzeRequest): Promise<DocAnalysis> {
  const key = `${req.key}#${JSON.stringify(req.chunk)}`;
  const hit = docs.get(key);
  if (hit) return hit;
  const tok = tokenizerFor(req.tokenizer);
  const chunker = await chunkerFor(tok, req.chunk);
  const units = chunker.units(req.text, req.language);
  let head: string | null = null;
  let reader: RepoReader = EMPTY_READER;
  if (req.repo) {
    try {
      const repo = await repositoryAt(req.repo);
      head = repo.isEmpty ? null : await repo.resolveRef('HEAD');
      if (head) reader = repo;
    } catch {
      head = null;
    }
  }
  const rec: CommitRecord = {
    commit: { hash: head ?? '0'.repeat(40), parents: [], author: who(), committer: who(), subject: '', body: '', isMerge: false },
    files: [{ path: req.path, change: 'added', language: req.language, oldText: null, newText: req.text, newOid: blobOid(req.text), newMode: '100644' }],
  };
  const chunks = units.length ? await chunker.chunkCommit(rec, reader) : [];
  const doc: DocAnalysis = { units, chunks, head, perUnit: new Map() };
  // One version per document: drop older versions of the same URI.
  const uri = req.key.slice(0, req.key.lastIndexOf('#'));
  for (const k of docs.keys()) if (k.startsWith(`${uri}#`)) docs.delete(k);
  if (docs.size >= DOC_CACHE) docs.delete(docs.keys().next().value!);
  docs.set(key, doc);
  return doc;
}

/** The innermost unit containing `offset` (import blocks only when nothing else does). */
function enclosing(units: Unit[], offset: number): Unit | undefined {
  let best: Unit | undefined;
  for (const u of units) {
    if (offset < u.start || offset > u.end) continue;
    if (!best || u.end - u.start < best.end - best.start) best = u;
  }
  return best;
}

/** The smallest chunk whose new lines contain the unit's first line. */
function chunkOf(chunks: ChunkRecord[], u: Unit): ChunkRecord | null {
  let best: ChunkRecord | null = null;
  for (const c of chunks) {
    const r = c.newRange;
    if (!r || u.startLine < r.start || u.startLine > r.end) continue;
    if (!best || r.end - r.start < best.newRange!.end - best.newRange!.start) best = c;
  }
  return best;
}

export async function analyzeAt(req: AnalyzeRequest): Promise<UnitAnalysis | null> {
  if (!languageSpec(req.language)) return null;
  const t0 = performance.now();
  const doc = await analyzeDocument(req);
  const u = enclosing(doc.units, req.offset);
  if (!u) return null;
  const unitKey = `${u.start}:${u.end}:${req.budget}:${req.firstTokens}`;
  const cached = doc.perUnit.get(unitKey);
  if (cached) return { ...cached, cached: true, computeMs: 0 };
  const tok = tokenizerFor(req.tokenizer);
  const code = req.text.slice(u.start, u.end);
  const ids = tok.encode(code).ids;
  const chunk = chunkOf(doc.chunks, u);
  const result: UnitAnalysis = {
    kind: u.kind,
    qualifiedName: u.qualifiedName,
    startLine: u.startLine,
    endLine: u.endLine,
    tokens: ids.length,
    budget: req.budget,
    firstTokens: ids.slice(0, req.firstTokens).map((id) => tok.decode([id])),
    tokenizer: tokenizerName(req.tokenizer),
    context: (chunk?.context ?? []).map((c) => ({ kind: c.kind, symbol: c.symbol, path: c.path, reason: c.reason, role: c.role, tokens: c.tokens ?? tok.count(c.code) })),
    chunk,
    head: doc.head,
    computeMs: 0,
    cached: false,
  };
  result.computeMs = Math.round((performance.now() - t0) * 10) / 10;
  doc.perUnit.set(unitKey, result);
  return result;
}

export function tokenView(text: string, title: string, tokenizer: string | undefined): TokenViewPayload {
  return tokenViewFromText(tokenizerFor(tokenizer), text, { title, tokenizer: tokenizerName(tokenizer) });
}

export function exampleView(req: ExampleViewRequest): { payload: TokenViewPayload; text: string } {
  const tok = tokenizerFor(req.tokenizer);
  const ex = serializeExample(tok, { commit: req.commit, chunks: [req.chunk] }, req.format);
  const payload = tokenViewFromIds(tok, [...ex.contextIds, ...ex.targetIds], {
    title: `${req.chunk.qualifiedName} (${req.format} example)`,
    tokenizer: tokenizerName(req.tokenizer),
    sections: ex.sections,
  });
  return { payload, text: ex.text };
}

export function contextView(req: ContextViewRequest): ContextViewPayload {
  const tok = tokenizerFor(req.tokenizer);
  return {
    chunk: req.chunk,
    commit: req.commit,
    contextTokens: req.chunk.context.map((c) => c.tokens ?? tok.count(c.code)),
    oldTokens: tok.count(req.chunk.oldCode),
    newTokens: tok.count(req.chunk.newCode),
    repoDir: req.repoDir,
  };
}
