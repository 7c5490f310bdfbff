/**
 * Fast JSON Lines of examples: the bytes of `JSON.stringify(exampleRow(expandExample(c)))` + "\n",
 * written as ASCII straight into buffers from the compact form (no padded number[] arrays, no
 * JSON.stringify over ~10k numbers per row). Padding runs are filled with Buffer.fill of a repeated
 * pattern. Byte-identical to the generic path (test/unit/dataset guards it); rows whose lengths exceed
 * their windows (never produced by the builders) take the generic path.
 */
import { expandExample, IGNORE_INDEX, type CompactExample, type Decode, type Example, type WindowOptions } from '../examples/examples';

const CHUNK = 4 << 20;

/** The JSON object written per example row, in its field order. */
export function exampleRow(e: Example): Record<string, unknown> {
  return {
    commit_hash: e.commit_hash,
    example_type: e.example_type,
    num_chunks: e.num_chunks,
    part: e.part,
    parts: e.parts,
    context_length: e.context_length,
    target_length: e.target_length,
    input_ids: e.input_ids,
    labels: e.labels,
    attention_mask: e.attention_mask,
    context: e.context,
    target: e.target,
    context_mask: e.context_mask,
    target_mask: e.target_mask,
    text: e.text,
  };
}

class AsciiOut {
  buf = Buffer.allocUnsafe(CHUNK);
  pos = 0;
  private readonly patterns = new Map<number, Buffer>();

  /** Makes room for `n` bytes; returns the filled buffer to hand out when a new one was started. */
  reserve(n: number): Buffer | null {
    if (this.pos + n <= this.buf.length) return null;
    const full = this.pos > 0 ? this.buf.subarray(0, this.pos) : null;
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.pos = 0;
    return full;
  }

  ascii(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  utf8(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  int(v: number): void {
    const b = this.buf;
    if (v < 0) {
      b[this.pos++] = 45; // '-'
      v = -v;
    }
    if (v < 10) {
      b[this.pos++] = 48 + v;
      return;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 10) {
      const q = (v / 10) | 0;
      b[--p] = 48 + (v - q * 10);
      v = q;
    }
    b[p - 1] = 48 + v;
  }

  /** `,v` repeated n times. */
  repeat(v: number, n: number): void {
    if (n <= 0) return;
    let pat = this.patterns.get(v);
    if (!pat) this.patterns.set(v, (pat = Buffer.from(`,${v}`, 'latin1')));
    const end = this.pos + pat.length * n;
    this.buf.fill(pat, this.pos, end);
    this.pos = end;
  }
}

/** Writes `[a..., fill × (len - a.length)]` where `a` = ids (or `fixed` repeated when ids is null). */
function list(o: AsciiOut, parts: Array<{ ids: ArrayLike<number> | null; n: number; fixed?: number }>): void {
  o.ascii('[');
  let first = true;
  for (const p of parts) {
    if (p.n <= 0) continue;
    if (p.ids) {
      const ids = p.ids;
      for (let i = 0; i < p.n; i++) {
        if (!first) o.buf[o.pos++] = 44;
        first = false;
        o.int(ids[i]);
      }
    } else {
      if (first) {
        o.int(p.fixed!);
        first = false;
        o.repeat(p.fixed!, p.n - 1);
      } else o.repeat(p.fixed!, p.n);
    }
  }
  o.ascii(']');
}

function fits(c: CompactExample, w: WindowOptions): boolean {
  return c.ctx.length <= w.contextWindow && c.tgt.length <= w.targetWindow;
}

/** JSON Lines of the examples (padded rows), in ~4 MB pieces; each piece is a fresh buffer. */
export function* exampleJsonl(rows: Iterable<CompactExample>, w: WindowOptions, decode?: Decode): Generator<Uint8Array> {
  const o = new AsciiOut();
  const { contextWindow: cw, targetWindow: tw, padId } = w;
  const total = cw + tw;
  for (const c of rows) {
    const textJson = JSON.stringify(decode ? decode(c.ctx) + decode(c.tgt) : '');
    if (!fits(c, w)) {
      const line = JSON.stringify(exampleRow(expandExample(c, w, decode))) + '\n';
      const full = o.reserve(Buffer.byteLength(line));
      if (full) yield full;
      o.utf8(line);
      continue;
    }
    // numbers: 3 × total (input_ids, labels, mask) + 2 × (cw + tw) (context/target + masks), ≤ 12 bytes each
    const need = 5 * total * 12 + textJson.length * 3 + c.commit_hash.length * 6 + 512;
    const full = o.reserve(need);
    if (full) yield full;
    const nc = c.ctx.length;
    const nt = c.tgt.length;
    const seq = c.example_type === 'sequential';
    o.utf8(
      `{"commit_hash":${JSON.stringify(c.commit_hash)},"example_type":${JSON.stringify(c.example_type)},"num_chunks":${c.num_chunks},"part":${c.part},"parts":${c.parts},"context_length":${nc},"target_length":${nt},"input_ids":`,
    );
    list(o, [
      { ids: c.ctx, n: nc },
      { ids: c.tgt, n: nt },
      { ids: null, n: total - nc - nt, fixed: padId },
    ]);
    o.ascii(',"labels":');
    list(o, [seq ? { ids: c.ctx, n: nc } : { ids: null, n: nc, fixed: IGNORE_INDEX }, { ids: c.tgt, n: nt }, { ids: null, n: total - nc - nt, fixed: IGNORE_INDEX }]);
    o.ascii(',"attention_mask":');
    list(o, [
      { ids: null, n: nc + nt, fixed: 1 },
      { ids: null, n: total - nc - nt, fixed: 0 },
    ]);
    o.ascii(',"context":');
    list(o, [
      { ids: c.ctx, n: nc },
      { ids: null, n: cw - nc, fixed: padId },
    ]);
    o.ascii(',"target":');
    list(o, [
      { ids: c.tgt, n: nt },
      { ids: null, n: tw - nt, fixed: padId },
    ]);
    o.ascii(',"context_mask":');
    list(o, [
      { ids: null, n: nc, fixed: 1 },
      { ids: null, n: cw - nc, fixed: 0 },
    ]);
    o.ascii(',"target_mask":');
    list(o, [
      { ids: null, n: nt, fixed: 1 },
      { ids: null, n: tw - nt, fixed: 0 },
    ]);
    o.ascii(',"text":');
    o.utf8(textJson);
    o.ascii('}\n');
  }
  if (o.pos > 0) yield o.buf.subarray(0, o.pos);
}
