/**
 * Typed persistent state (the pattern of rust-analyzer's persistent_state.ts): one getter/setter per
 * value, stored in the workspace's Memento so it survives reloads.
 */
import type * as vscode from 'vscode';
import type { Phase } from '../core/types';

export interface LastBuild {
  /** Workspace folder (repository) that was built. */
  repo: string;
  outDir: string;
  head: string;
  commits: number;
  chunks: number;
  examples: number;
  tokens: number;
  /** ms since the epoch. */
  finishedAt: number;
  durationMs: number;
}

export class PersistentState {
  constructor(private readonly memento: vscode.Memento) {}

  get lastBuild(): LastBuild | undefined {
    return this.memento.get<LastBuild>('lastBuild');
  }

  async setLastBuild(value: LastBuild | undefined): Promise<void> {
    await this.memento.update('lastBuild', value);
  }

  /** Milliseconds each phase took in the last real (not up-to-date) build of a folder: the next build's ETA weights. */
  phaseWeights(folder: string): Partial<Record<Phase, number>> | undefined {
    return this.memento.get<Record<string, Partial<Record<Phase, number>>>>('phaseWeights')?.[folder];
  }

  async setPhaseWeights(folder: string, weights: Partial<Record<Phase, number>>): Promise<void> {
    const all = { ...this.memento.get<Record<string, Partial<Record<Phase, number>>>>('phaseWeights'), [folder]: weights };
    await this.memento.update('phaseWeights', all);
  }

  /** Path or language filter of the Commits view ('' = none). */
  get commitsFilter(): string {
    return this.memento.get<string>('commitsFilter') ?? '';
  }

  async setCommitsFilter(value: string): Promise<void> {
    await this.memento.update('commitsFilter', value);
  }
}
