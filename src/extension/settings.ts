/**
 * `commitCorpus.*` settings → the engine's PipelineOptions (the same options the CLI takes).
 * Paths are resolved against the workspace folder; empty values mean the engine's default.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PipelineOptions } from '../core/pipeline/options';
import { setOption, SETTINGS } from '../core/pipeline/schema';
import type { TestDelay } from '../core/threads/pipelineThread';
import type { Phase } from '../core/types';

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

/**
 * Testing aid (no setting in package.json; ignored by the shipped bundles): `commitCorpus.debug.delayPerEventMs`
 * makes the pipeline thread sleep at every progress event of `commitCorpus.debug.delayPhase` (all when empty).
 */
export function debugDelay(): TestDelay | undefined {
  const ms = Math.max(0, cfg().get<number>('debug.delayPerEventMs') ?? 0);
  const phase = cfg().get<string>('debug.delayPhase') || undefined;
  return ms ? { ms, ...(phase ? { phase: phase as Phase } : {}) } : undefined;
}

/**
 * Pipeline options for a build of `folder` from every editor setting of the settings table (overrides win, e.g.
 * the Export command's folder and layout). A setting left at its editor default ('' or 0: "none") is left out, so
 * the engine's default applies; any other value goes to the engine as it is, which checks its range.
 */
export function pipelineOptions(folder: vscode.Uri, overrides: Partial<PipelineOptions> = {}): PipelineOptions {
  const c = cfg(folder);
  const o: Record<string, unknown> = { repo: folder.fsPath, out: outputDir(folder), tokenizer: tokenizerPath(folder) };
  for (const s of SETTINGS) {
    if (!s.option || !s.setting || s.option === 'out' || s.option === 'tokenizer') continue;
    let v = c.get<unknown>(s.setting);
    if (typeof v === 'string') v = v.trim();
    if (v === undefined || v === null || (s.editorDefault !== undefined && v === s.editorDefault)) continue;
    setOption(o, s.option, v);
  }
  return { ...stripUndefined(o), ...overrides } as PipelineOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
