/** Asks a worker for the enclosing unit at a position of a document (hover, "Show token boundaries/context"). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { UnitAnalysis } from '../worker/protocol';
import { engineLanguage } from './languages';
import { resolveSettings, UsageError } from '../core/pipeline/options';
import { hoverFirstTokens, pipelineOptions, tokenizerPath } from './settings';
import type { WorkerPool } from './workerPool';

import { pick } from '../core/pipeline/run';
import { CHUNK_SETTING_KEYS } from '../core/pipeline/stages/chunk';

/** The build's settings of a folder (the hover cuts and counts as the build does); the defaults while one is invalid. */
function buildSettings(folder?: vscode.Uri) {
  try {
    if (folder) return resolveSettings(pipelineOptions(folder));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
  }
  return resolveSettings({ repo: '.', out: '.' });
}

/** The workspace folder of a document (its repository root for the context lookup) and its relative path. */
function locate(doc: vscode.TextDocument): { repo: string | null; rel: string; folder?: vscode.Uri } {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  if (!folder || doc.uri.scheme !== 'file') return { repo: null, rel: path.basename(doc.uri.path) };
  return { repo: folder.uri.fsPath, rel: path.relative(folder.uri.fsPath, doc.uri.fsPath).split(path.sep).join('/'), folder: folder.uri };
}

export async function analyzeAt(pool: WorkerPool, doc: vscode.TextDocument, pos: vscode.Position, signal?: AbortSignal): Promise<UnitAnalysis | null> {
  const language = engineLanguage(doc.languageId);
  if (!language) return null;
  const { repo, rel, folder } = locate(doc);
  const settings = buildSettings(folder);
  return pool.request(
    {
      kind: 'analyze',
      key: `${doc.uri.toString()}#${doc.version}`,
      repo,
      path: rel,
      language,
      text: doc.getText(),
      offset: doc.offsetAt(pos),
      tokenizer: tokenizerPath(folder),
      budget: settings.budgets.newCode,
      chunk: pick(settings, CHUNK_SETTING_KEYS),
      firstTokens: hoverFirstTokens(),
    },
    { signal },
  );
}
