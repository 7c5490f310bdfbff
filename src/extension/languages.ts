/** VS Code language ids the engine can parse, and the engine's id for each. */
import type * as vscode from 'vscode';
import { LANGUAGES } from '../core/chunk/languages';

const ENGINE_LANGUAGE: Record<string, string> = Object.fromEntries(LANGUAGES.flatMap((l) => l.editorIds.map((id) => [id, l.id])));

export const SUPPORTED_LANGUAGE_IDS = Object.keys(ENGINE_LANGUAGE);

export const SUPPORTED_SELECTOR: vscode.DocumentSelector = SUPPORTED_LANGUAGE_IDS.flatMap((language) => [
  { language, scheme: 'file' },
  { language, scheme: 'untitled' },
]);

export function engineLanguage(vscodeLanguageId: string): string | undefined {
  return ENGINE_LANGUAGE[vscodeLanguageId];
}
