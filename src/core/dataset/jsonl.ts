/**
 * The one reader of JSON Lines files (verify, the editor's overview and dataset requests): read in blocks, so
 * a file may be larger than the longest string V8 allows; empty lines are skipped; the last line needs no
 * newline.
 */
import * as fs from 'node:fs';

const BLOCK_BYTES = 4 << 20;

/** The lines of a file, without their newlines (the file stays open until the loop ends or breaks). */
export function* fileLines(file: string): Generator<string> {
  const fd = fs.openSync(file, 'r');
  try {
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = fs.readSync(fd, block, 0, block.length, null);
      if (n === 0) break;
      const data = rest.length ? Buffer.concat([rest, block.subarray(0, n)]) : block.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        if (nl > start) yield data.toString('utf8', start, nl);
        start = nl + 1;
      }
      rest = Buffer.from(data.subarray(start)); // a copy: `block` is read into again
    }
    if (rest.length) yield rest.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Calls fn for each line of a file. */
export function forEachLine(file: string, fn: (line: string) => void): void {
  for (const line of fileLines(file)) fn(line);
}

/** Calls fn for each row of a JSON Lines file with its index; a line that is not JSON throws. */
export function forEachJsonl(file: string, fn: (row: unknown, index: number) => void): void {
  let index = 0;
  for (const line of fileLines(file)) fn(JSON.parse(line), index++);
}

/** The rows of a JSON Lines file. */
export function* jsonlRows(file: string): Generator<unknown> {
  for (const line of fileLines(file)) yield JSON.parse(line);
}
