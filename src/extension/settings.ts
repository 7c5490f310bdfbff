/**
 * `commitCorpus.*` settings → the engine's PipelineOptions (the same options the CLI takes).
 * Paths are resolved against the workspace folder; empty values mean the engine's default.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExampleMode, FormatName, Layout, PipelineOptions } from '../core/pipeline/options';

export const SECTION = 'commitCorpus';
export const DEFAULT_OUTPUT = 'commit-corpus-out';

function cfg(folder?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, folder);
}

/** Absolute output folder: the setting (relative → against the workspace folder) or `<folder>/commit-corpus-out`. */
export function outputDir(folder: vscode.Uri): string {
  const v = (cfg(folder).get<string>('outputDir') ?? '').trim();
  return path.resolve(folder.fsPath, v || DEFAULT_OUTPUT);
}

/** The tokenizer.json path of the setting (resolved), or undefined for the bundled one. */
export function tokenizerPath(folder?: vscode.Uri): string | undefined {
  const v = (cfg(folder).get<string>('tokenizer') ?? '').trim();
  if (!v || v === 'bundled') return undefined;
  return folder ? path.resolve(folder.fsPath, v) : path.resolve(v);
}

export function workerCount(): number {
  return cfg().get<number>('workers') ?? 2;
}

export function hoverEnabled(): boolean {
  return cfg().get<boolean>('hover.enabled') ?? true;
}

export function hoverFirstTokens(): number {
  return Math.max(1, Math.min(200, cfg().get<number>('hover.firstTokens') ?? 24));
}

/** Testing aid (not shown in the UI): milliseconds the worker sleeps after each progress event. */
export function debugDelayPerEventMs(): number {
  return Math.max(0, cfg().get<number>('debug.delayPerEventMs') ?? 0);
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = (v ?? '').trim();
  return t ? t : undefined;
}

function positive(v: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
}

/** Budgets of the serialized example sections (settings `commitCorpus.budgets.*`). */
export function budgets(folder?: vscode.Uri): NonNullable<PipelineOptions['budgets']> {
  const c = cfg(folder);
  const out: NonNullable<PipelineOptions['budgets']> = {};
  for (const k of ['message', 'oldCode', 'newCode', 'snippet', 'example'] as const) {
    const v = positive(c.get<number>(`budgets.${k}`));
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Pipeline options for a build of `folder` (overrides win, e.g. the Export command's folder and layout). */
export function pipelineOptions(folder: vscode.Uri, overrides: Partial<PipelineOptions> = {}): PipelineOptions {
  const c = cfg(folder);
  const o: PipelineOptions = {
    repo: folder.fsPath,
    out: outputDir(folder),
    ref: nonEmpty(c.get<string>('ref')),
    since: nonEmpty(c.get<string>('since')),
    until: nonEmpty(c.get<string>('until')),
    maxCommits: positive(c.get<number>('maxCommits')),
    include: c.get<string[]>('include') ?? [],
    exclude: c.get<string[]>('exclude') ?? [],
    languages: c.get<string[]>('languages') ?? [],
    includeMerges: c.get<boolean>('includeMerges') ?? false,
    skipBots: c.get<boolean>('skipBots') ?? true,
    maxFileBytes: positive(c.get<number>('maxFileBytes')),
    tokenizer: tokenizerPath(folder),
    format: (c.get<string>('format') ?? 'seed') as FormatName,
    mode: (c.get<string>('mode') ?? 'commit') as ExampleMode,
    layout: (c.get<string>('layout') ?? 'default') as Layout,
    contextWindow: positive(c.get<number>('contextWindow')),
    targetWindow: positive(c.get<number>('targetWindow')),
    budgets: budgets(folder),
    dedup: c.get<boolean>('dedup') ?? true,
    nearDupThreshold: c.get<number>('nearDupThreshold'),
    redact: c.get<boolean>('redact') ?? true,
    keepAuthorEmails: c.get<boolean>('keepAuthorEmails') ?? false,
    context: c.get<boolean>('context') ?? true,
    maxChunkChars: positive(c.get<number>('maxChunkChars')),
    contextTokens: positive(c.get<number>('contextTokens')),
    snippetTokens: positive(c.get<number>('snippetTokens')),
    cache: c.get<boolean>('cache') ?? true,
    fileTimeout: c.get<number>('fileTimeout'),
    allowMissingObjects: c.get<boolean>('allowMissingObjects') ?? false,
  };
  return { ...stripUndefined(o), ...overrides } as PipelineOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
