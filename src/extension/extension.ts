import * as vscode from 'vscode';

// Placeholder: the foundation issue fills this in.
export function activate(_context: vscode.ExtensionContext): void {}
export function deactivate(): void {}
