/**
 * The trainer-shaped files (`--emit`): the examples as text, each file in the shape a trainer loads with no mapping.
 *
 *   prompt-completion  prompt_completion/{split}.jsonl + .parquet: `prompt`, `completion` (+ metadata) — TRL's
 *                      prompt-completion format (loss on the completion only), LLaMA-Factory's alpaca columns.
 *   messages           messages/{split}.jsonl: `messages` = system, user (the prompt), assistant (the completion) — TRL
 *                      conversational, axolotl `chat_template`, LLaMA-Factory's OpenAI format (dataset_info.json).
 *   text               text/{split}.jsonl + .parquet: `text` = prompt + completion — continued pre-training (with
 *                      `--format repo`, the model's own repository format: `<repo_name>`, `<file_sep>`).
 *
 * The pre-tokenized rows (dataset/{split}.*) are always written. Row i of every file of a split is the same example.
 * Every text is exact: the exported tokenizer encodes `prompt` and `completion` into the example's ids.
 */
import type { SplitName } from '../examples/dedup';
import type { CompactExample, Decode, RowMeta } from '../examples/examples';
import type { AtomicDir } from './output';
import { scalar, stringList, writeRowsParquet, type Column } from './parquet';

export const EMITS = ['prompt-completion', 'messages', 'text'] as const;
export type Emit = (typeof EMITS)[number];

/** The system message of the `messages` files. */
export const SYSTEM_PROMPT = 'You are given a commit of a code repository: its message, the code it changes and the definitions that code uses. Write the code after the change.';

/** Where each emit's files of a split go (the card and dataset_info.json name them). */
export function emitFiles(emit: Emit, split: SplitName): string[] {
  switch (emit) {
    case 'prompt-completion':
      return [`prompt_completion/${split}.jsonl`, `prompt_completion/${split}.parquet`];
    case 'messages':
      return [`messages/${split}.jsonl`];
    case 'text':
      return [`text/${split}.jsonl`, `text/${split}.parquet`];
  }
}

interface TextRow {
  c: CompactExample;
  m: RowMeta;
  prompt: string;
  completion: string;
}

function* textRows(examples: Iterable<CompactExample>, meta: (c: CompactExample) => RowMeta, decode: Decode): Generator<TextRow> {
  for (const c of examples) yield { c, m: meta(c), prompt: decode(c.ctx), completion: decode(c.tgt) };
}

/** The metadata every text file carries after its text fields. */
const META_COLUMNS: Array<Column<TextRow>> = [
  scalar('commit_hash', 'string', (r) => r.c.commit_hash),
  scalar('repo', 'string', (r) => r.m.repo),
  scalar('date', 'string', (r) => r.m.date),
  stringList('paths', (r) => r.c.meta.paths),
  scalar('part', 'int', (r) => r.c.part),
  scalar('parts', 'int', (r) => r.c.parts),
  scalar('completion_cut', 'bool', (r) => r.c.cut),
];

const COLUMNS: Record<Exclude<Emit, 'messages'>, Array<Column<TextRow>>> = {
  'prompt-completion': [scalar('prompt', 'string', (r) => r.prompt), scalar('completion', 'string', (r) => r.completion), ...META_COLUMNS],
  text: [scalar('text', 'string', (r) => r.prompt + r.completion), ...META_COLUMNS],
};

function metaJson(r: TextRow): Record<string, unknown> {
  return { commit_hash: r.c.commit_hash, repo: r.m.repo, date: r.m.date, paths: r.c.meta.paths, part: r.c.part, parts: r.c.parts, completion_cut: r.c.cut };
}

const LINES: Record<Emit, (r: TextRow) => Record<string, unknown>> = {
  'prompt-completion': (r) => ({ prompt: r.prompt, completion: r.completion, ...metaJson(r) }),
  messages: (r) => ({
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: r.prompt },
      { role: 'assistant', content: r.completion },
    ],
    ...metaJson(r),
  }),
  text: (r) => ({ text: r.prompt + r.completion, ...metaJson(r) }),
};

function* lines(rows: Iterable<TextRow>, line: (r: TextRow) => Record<string, unknown>): Generator<string> {
  let s = '';
  for (const r of rows) {
    s += JSON.stringify(line(r)) + '\n';
    if (s.length > 1 << 20) {
      yield s;
      s = '';
    }
  }
  yield s;
}

/** Writes the emits' files of one split. */
export function writeEmits(
  dir: AtomicDir,
  emits: readonly Emit[],
  split: SplitName,
  examples: Iterable<CompactExample>,
  meta: (c: CompactExample) => RowMeta,
  decode: Decode,
  createdBy: string,
): void {
  for (const emit of emits) {
    const [jsonlFile, parquetFile] = emitFiles(emit, split);
    dir.write(jsonlFile, lines(textRows(examples, meta, decode), LINES[emit]));
    if (parquetFile && emit !== 'messages') {
      const pq = dir.stream(parquetFile);
      writeRowsParquet(textRows(examples, meta, decode), COLUMNS[emit], createdBy, (b) => pq.write(b));
      pq.close();
    }
  }
}

/**
 * LLaMA-Factory's dataset_info.json (its `dataset_dir` is the output folder): every split of every emit it reads,
 * named `commit_corpus_{split}` (messages, OpenAI format) and `commit_corpus_pc_{split}` (prompt/completion, alpaca).
 */
export function datasetInfo(emits: readonly Emit[], splits: readonly SplitName[]): Record<string, unknown> | null {
  const info: Record<string, unknown> = {};
  for (const split of splits) {
    if (emits.includes('messages')) {
      info[`commit_corpus_${split}`] = {
        file_name: emitFiles('messages', split)[0],
        formatting: 'sharegpt',
        columns: { messages: 'messages' },
        tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
      };
    }
    if (emits.includes('prompt-completion')) {
      info[`commit_corpus_pc_${split}`] = { file_name: emitFiles('prompt-completion', split)[0], columns: { prompt: 'prompt', response: 'completion' } };
    }
  }
  return Object.keys(info).length ? info : null;
}
