/**
 * What crosses a thread boundary when something goes wrong: an error as plain data (its class kept where a
 * caller acts on it: a cancel, bad usage), and the one test for a thread that ran out of its heap.
 */
import { AbortError, UsageError } from '../errors';

/** An error as it crosses threads (structured clone drops an Error's class). */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
  /** The classes callers act on (subclasses included: UnsupportedTokenizerError is a usage error). */
  kind?: 'abort' | 'usage';
}

export function toThreadError(e: unknown): ThreadError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const kind = e instanceof AbortError || e.name === 'AbortError' ? 'abort' : e instanceof UsageError ? 'usage' : undefined;
  return { name: e.name, message: e.message, stack: e.stack, ...(kind ? { kind } : {}) };
}

/** The error on the receiving side: AbortError and UsageError keep their class (shells map them to exit codes). */
export function fromThreadError(m: ThreadError): Error {
  const e = m.kind === 'abort' ? new AbortError() : m.kind === 'usage' ? new UsageError(m.message) : new Error(m.message);
  if (m.stack) e.stack = m.stack;
  return e;
}

/** A Worker's 'error' event for a thread that ran past its heap cap (the thread is gone; its work can go elsewhere). */
export function isOutOfMemory(e: Error & { code?: string }): boolean {
  return e.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
