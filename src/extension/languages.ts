/** VS Code language ids the engine can parse, and the engine's id for each. */
import type * as vscode from 'vscode';

const ENGINE_LANGUAGE: Record<string, string> = {
  rust: 'rust',
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
  go: 'go',
};

export const SUPPORTED_LANGUAGE_IDS = Object.keys(ENGINE_LANGUAGE);

export const SUPPORTED_SELECTOR: vscode.DocumentSelector = SUPPORTED_LANGUAGE_IDS.flatMap((language) => [
  { language, scheme: 'file' },
  { language, scheme: 'untitled' },
]);

export function engineLanguage(vscodeLanguageId: string): string | undefined {
  return ENGINE_LANGUAGE[vscodeLanguageId];
}
