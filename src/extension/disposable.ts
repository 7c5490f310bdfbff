/**
 * A base class that owns disposables: `this._register(x)` keeps x and disposes it with the owner
 * (the pattern of vscode-pull-request-github's `Disposable`).
 */
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private _disposables: vscode.Disposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  protected _register<T extends vscode.Disposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    const list = this._disposables;
    this._disposables = [];
    for (let i = list.length - 1; i >= 0; i--) {
      try {
        list[i].dispose();
      } catch {
        // keep disposing the rest
      }
    }
  }
}
