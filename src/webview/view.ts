/** What each view renderer gets from main.ts and gives back. */
import type { PageMessage } from './protocol';

export interface ViewContext {
  whitespace: boolean;
  setWhitespace(show: boolean): void;
  post(msg: PageMessage): void;
}

export interface ViewResult {
  root: HTMLElement;
  /** Reported to the host in the `rendered` message. */
  counts: Record<string, number>;
}
