/** The dataset card (README.md) of an output folder. Deterministic: no dates, only the data's own facts. */
import type { BuiltDataset } from './model';

export function datasetCard(ds: BuiltDataset): string {
  const n = (s: 'train' | 'val' | 'test') => ds.examples[s].length;
  const st = ds.settings as Record<string, unknown>;
  const stats = ds.stats as Record<string, unknown>;
  const red = (stats.redactions ?? {}) as Record<string, number>;
  const dups = (stats.duplicates ?? {}) as Record<string, unknown>;
  const lines = [
    `# Commit Corpus dataset: ${ds.repo.path.split(/[\\/]/).filter(Boolean).pop() ?? ds.repo.path}`,
    '',
    `Training examples for code language models built by commit-corpus ${ds.toolVersion} from the git history of`,
    `\`${ds.repo.path}\` at ${ds.repo.ref} (HEAD \`${ds.repo.head}\`), commits \`${ds.repo.first ?? '-'}\` … \`${ds.repo.last ?? '-'}\` (${ds.repo.commits} commits).`,
    '',
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
          '- `part`/`parts` (a long target is split over several examples), `context_length`, `target_length`, `text` (the serialized example).',
          "- `dataset_enhanced/training_data_enhanced_{train,val,test}.json`: the seed project's files (its padded fields).",
        ]
      : [
          '- `input_ids`, `labels` (−100 on the prompt: loss only on the completion; every token in sequential mode), `attention_mask` (all 1):',
          '  the real tokens only, unpadded — a padding collator (e.g. `DataCollatorForSeq2Seq`) pads each batch.',
          '- `prompt_tokens`, `completion_tokens` (the prompt is `input_ids[:prompt_tokens]`), `part`/`parts` (a long completion is split',
          '  over several examples), `commit_hash`, `split`, `repo`, `date` (commit time, UTC), `num_chunks`, `example_type`,',
          '  `text` (the serialized commit the example was cut from).',
        ]),
    '',
    '## Splits',
    '',
    `By commit time (${JSON.stringify(st.splits)}): each commit is in exactly one split; every train commit is older than every`,
    'validation commit, which is older than every test commit.',
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
    '',
    '## Loading',
    '',
    '```python',
    'from datasets import load_dataset',
    'ds = load_dataset("parquet", data_files={s: f"dataset/{s}.parquet" for s in ["train", "val", "test"]})',
    ...(st.layout === 'seed'
      ? []
      : [
          '',
          '# the plain HF Trainer on the pre-tokenized rows: pad per batch, labels padded with -100',
          'from transformers import DataCollatorForSeq2Seq, Trainer',
          'cols = ["input_ids", "labels", "attention_mask"]',
          'train = ds["train"].select_columns(cols)',
          'collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)  # tokenizer: tokenizer/tokenizer.json',
        ]),
    '',
    'from safetensors.numpy import load_file',
    't = load_file("tokens.safetensors")  # token_ids (int32), offsets (int64): chunk i = token_ids[offsets[i]:offsets[i+1]]',
    '```',
    '',
    'Files and their sha256 are listed in `manifest.json`; `commit-corpus verify <this folder> --repo <repository>` re-checks them.',
    '',
  ];
  return lines.join('\n');
}
