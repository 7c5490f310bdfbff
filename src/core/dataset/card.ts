/** The dataset card (README.md) of an output folder. Deterministic: no dates, only the data's own facts. */
import type { BuiltDataset } from './model';
import { SYSTEM_PROMPT, type Emit } from './emit';
import { NGRAM } from '../hygiene/decontaminate';

/** What each trainer-shaped file holds. */
function emitFields(emits: Emit[]): string[] {
  const meta = '`commit_hash`, `repo`, `date`, `paths`, `part`, `parts`, `completion_cut`';
  const out: string[] = [];
  if (emits.includes('prompt-completion')) out.push('', `\`prompt_completion/{split}.jsonl\` and \`.parquet\`: \`prompt\` (the context as text), \`completion\` (the target as text), ${meta}.`);
  if (emits.includes('messages'))
    out.push(
      '',
      `\`messages/{split}.jsonl\`: \`messages\` = system (\`${SYSTEM_PROMPT}\`), user (the prompt), assistant (the completion); ${meta}.`,
      '`dataset_info.json` registers every split for LLaMA-Factory.',
    );
  if (emits.includes('text')) out.push('', `\`text/{split}.jsonl\` and \`.parquet\`: \`text\` = prompt + completion (continued pre-training), ${meta}.`);
  if (out.length) out.splice(1, 0, 'Row i of each of these files is row i of `dataset/{split}.parquet`.', '');
  return out;
}

/** The loading snippets: one per trainer, naming the files and fields this build wrote. */
function loading(seed: boolean, emits: Emit[]): string[] {
  const files = (dir: string, ext: string) => `{s: f"${dir}/{s}.${ext}" for s in ["train", "val", "test"]}`;
  const out = [
    '```python',
    '# Hugging Face datasets + the plain Trainer on the pre-tokenized rows (pad per batch, labels padded with -100)',
    'from datasets import load_dataset',
    `ds = load_dataset("parquet", data_files=${files('dataset', 'parquet')})`,
  ];
  if (!seed)
    out.push(
      'from transformers import DataCollatorForSeq2Seq, PreTrainedTokenizerFast',
      'tokenizer = PreTrainedTokenizerFast(tokenizer_file="tokenizer/tokenizer.json")',
      'train = ds["train"].select_columns(["input_ids", "labels", "attention_mask"])',
      'collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)',
    );
  if (emits.includes('prompt-completion'))
    out.push(
      '',
      '# TRL SFTTrainer, prompt-completion format: loss on the completion only',
      `pc = load_dataset("parquet", data_files=${files('prompt_completion', 'parquet')})`,
      'from trl import SFTConfig, SFTTrainer',
      'trainer = SFTTrainer(model=model, train_dataset=pc["train"].select_columns(["prompt", "completion"]), processing_class=tokenizer,',
      '                     args=SFTConfig(completion_only_loss=True))',
    );
  if (emits.includes('messages')) out.push('', '# TRL SFTTrainer, conversational format', `chat = load_dataset("json", data_files=${files('messages', 'jsonl')})`);
  if (emits.includes('text')) out.push('', '# continued pre-training on text', `text = load_dataset("parquet", data_files=${files('text', 'parquet')})`);
  out.push('', 'from safetensors.numpy import load_file', 't = load_file("tokens.safetensors")  # token_ids (int32), offsets (int64): chunk i = token_ids[offsets[i]:offsets[i+1]]', '```');
  if (!seed)
    out.push(
      '',
      'axolotl, pre-tokenized rows (`input_ids`, `labels`, `attention_mask`, no prompt template):',
      '',
      '```yaml',
      'datasets:',
      '  - path: dataset/train.parquet',
      '    ds_type: parquet',
      '    type:',
      '```',
    );
  if (emits.includes('messages'))
    out.push('', 'axolotl, chat rows:', '', '```yaml', 'datasets:', '  - path: messages/train.jsonl', '    ds_type: json', '    type: chat_template', '    field_messages: messages', '```');
  if (emits.includes('messages') || emits.includes('prompt-completion')) {
    const names = [emits.includes('messages') ? 'commit_corpus_train' : '', emits.includes('prompt-completion') ? 'commit_corpus_pc_train' : ''].filter(Boolean);
    out.push(
      '',
      'LLaMA-Factory (`dataset_info.json` is in this folder):',
      '',
      '```yaml',
      'dataset_dir: <this folder>',
      `dataset: ${names[0]}`,
      `eval_dataset: ${names[0].replace('_train', '_val')}`,
      '```',
    );
  }
  return out;
}

/** Per-repository figures (stats.json `repositories`), for a build of several. */
function repositoryTable(ds: BuiltDataset): string[] {
  if (ds.repos.length === 1) return [];
  const per = ((ds.stats as Record<string, unknown>).repositories ?? {}) as Record<string, { commits: number; chunks: number; examples: Record<string, number>; tokens: number }>;
  return [
    '## Repositories',
    '',
    '| repository | HEAD | commits | shared with an earlier one | chunks | train | val | test | example tokens |',
    '|---|---|---|---|---|---|---|---|---|',
    ...ds.repos.map((r) => {
      const s = per[r.name];
      return `| \`${r.name}\` | \`${r.head.slice(0, 12)}\` | ${r.commits} | ${r.shared} | ${s?.chunks ?? 0} | ${s?.examples.train ?? 0} | ${s?.examples.val ?? 0} | ${s?.examples.test ?? 0} | ${s?.tokens ?? 0} |`;
    }),
    '',
  ];
}

export function datasetCard(ds: BuiltDataset): string {
  const n = (s: 'train' | 'val' | 'test') => ds.examples[s].length;
  const st = ds.settings as Record<string, unknown>;
  const stats = ds.stats as Record<string, unknown>;
  const red = (stats.redactions ?? {}) as Record<string, number>;
  const dups = (stats.duplicates ?? {}) as Record<string, unknown>;
  const emits = (Array.isArray(st.emit) ? st.emit : []) as Emit[];
  const skipped = (stats.commits_skipped ?? {}) as Record<string, number>;
  const one = ds.repos.length === 1 ? ds.repos[0] : null;
  const lines = [
    `# Commit Corpus dataset: ${one ? one.name : `${ds.repos.length} repositories`}`,
    '',
    ...(one
      ? [
          `Training examples for code language models built by commit-corpus ${ds.toolVersion} from the git history of`,
          `\`${one.path}\` at ${one.ref} (HEAD \`${one.head}\`), commits \`${one.first ?? '-'}\` … \`${one.last ?? '-'}\` (${one.commits} commits).`,
        ]
      : [
          `Training examples for code language models built by commit-corpus ${ds.toolVersion} from the git histories of ${ds.repos.length} repositories`,
          `at ${ds.repos[0].ref}; each row's \`repo\` names its repository. A commit two of them share (a fork's history) is the first one's.`,
        ]),
    '',
    ...repositoryTable(ds),
    '## Contents',
    '',
    `| split | examples |`,
    `|---|---|`,
    `| train | ${n('train')} |`,
    `| val | ${n('val')} |`,
    `| test | ${n('test')} |`,
    '',
    `Chunks: ${ds.chunkCount}. Tokenizer: \`${ds.tokenizer.source}\` (sha256 \`${ds.tokenizer.sha256}\`, vocab ${ds.tokenizer.vocab_size}).`,
    `Format: \`${String(st.format)}\`, mode: \`${String(st.mode)}\`, context window ${String(st.contextWindow)}, target window ${String(st.targetWindow)}.`,
    '',
    '## Fields',
    '',
    ...(st.layout === 'seed'
      ? [
          '- `input_ids`, `attention_mask`, `labels` (−100 on the context and padding: loss only on the target), padded to the windows — causal-LM layout.',
          '- `context`, `target` (padded token ids), `context_mask`, `target_mask` (1 real, 0 padding), `commit_hash`, `num_chunks`, `example_type`.',
          '- `part`/`parts` (a long target is split over several examples), `context_length`, `target_length`, `text` (the decoded context, then the decoded target).',
          "- `dataset_enhanced/training_data_enhanced_{train,val,test}.json`: the seed project's files (its padded fields).",
        ]
      : [
          '`dataset/{split}.parquet`, the pre-tokenized rows (Parquet only: the same token lists in JSON would be about seven times larger):',
          '',
          '- `input_ids`, `labels` (−100 on the prompt: loss only on the completion; every token in sequential mode), `attention_mask` (all 1):',
          '  the real tokens only, unpadded — a padding collator (e.g. `DataCollatorForSeq2Seq`) pads each batch.',
          '- `prompt_tokens`, `completion_tokens` (the prompt is `input_ids[:prompt_tokens]`), `part`/`parts` (a long completion is split',
          "  over several examples; `completion_cut` is true when the completion stops before the end of the commit's new code),",
          '  `commit_hash`, `split`, `repo`, `date` (commit time, UTC), `num_chunks`, `example_type`, `paths`, `languages`, `kinds`',
          '  (of the changed units the example holds).',
        ]),
    ...emitFields(emits),
    '',
    'Every example is exact: the tokenizer in `tokenizer/tokenizer.json` encodes its prompt text into exactly its prompt ids and',
    'its completion text into exactly its completion ids (Hugging Face `tokenizers`, default settings). Cuts (windows, budgets)',
    `land where that holds; ${String(stats.reencoded_pieces ?? 0)} piece(s) with no such cut nearby were re-encoded instead.`,
    `Examples whose code holds the literal text of a special token (which a default tokenizer reads as that token): ${String(stats.special_literals ?? 0)}.`,
    `Groups without a completion token (no example): ${String(stats.empty_completions ?? 0)}.`,
    '',
    '## Splits',
    '',
    `By commit time (${JSON.stringify(st.splits)}${one ? '' : ', within each repository, then united'}): each commit is in exactly one split; every train commit is older than every`,
    `validation commit, which is older than every test commit${one ? '' : ' of the same repository'}.`,
    '',
    '## Hygiene',
    '',
    `- Redaction of secrets and PII before tokenization: ${st.redact ? 'on' : 'off'}${
      st.redact
        ? ` (${
            Object.entries(red)
              .filter(([, v]) => v > 0)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ') || 'nothing found'
          })`
        : ''
    }.`,
    `- Exact and near-duplicate removal (MinHash, 5-gram shingles, 256 permutations, Jaccard ≥ ${String(st.nearDupThreshold)}): ${st.dedup ? 'on' : 'off'}${st.dedup ? ` (${JSON.stringify(dups)})` : ''}.`,
    '- Commit messages: trailers, URLs and issue references removed.',
    `- Commit-message filter (CommitPackFT style: imperative subject of 3 to 60 words, no merge, revert, release or WIP): ${
      st.messageFilter ? `on (${String(skipped.message ?? 0)} commits left out)` : 'off'
    }.`,
    `- Decontamination (${NGRAM}-word overlap with benchmark texts): ${
      Array.isArray(st.decontaminate) && st.decontaminate.length ? `against ${st.decontaminate.map((f) => `\`${String(f)}\``).join(', ')}: ${String(stats.decontaminated ?? 0)} dropped` : 'off'
    }.`,
    '',
    '## Loading',
    '',
    ...loading(st.layout === 'seed', emits),
    '',
    'Files and their sha256 are listed in `manifest.json`; `commit-corpus verify <this folder> --repo <repository>` re-checks them.',
    '',
  ];
  return lines.join('\n');
}
