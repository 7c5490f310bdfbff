/** Shared helpers for the tokenizer tests: the Hugging Face Rust reference (npm `tokenizers`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer as HfReference } from 'tokenizers';
import { rng } from '../../fixtures/rng';
export { rng };

/**
 * The reference for plain-text encoding: same file, but special tokens get a content that cannot
 * occur in text (ids unchanged), since this engine never recognises special tokens inside code.
 */
export function referenceFor(json: string, neutraliseSpecials = true): HfReference {
  const j = JSON.parse(json);
  if (neutraliseSpecials) {
    // A special that is also a vocabulary entry just stops being an added token; the others keep their
    // place (HF numbers added tokens that are not in the vocabulary in order) with unmatchable content.
    const vocab = j.model?.vocab ?? {};
    j.added_tokens = (j.added_tokens ?? []).filter((t: { special: boolean; content: string }) => !(t.special && vocab[t.content] !== undefined));
    for (const t of j.added_tokens) if (t.special) t.content = `\u0000special-${t.id}\u0000`;
  }
  return HfReference.fromString(JSON.stringify(j));
}

export async function refIds(ref: HfReference, text: string): Promise<number[]> {
  return (await ref.encode(text, null, { addSpecialTokens: false })).getIds();
}

/** Reference offsets converted from code points to UTF-16 code units. */
export async function refOffsets(ref: HfReference, text: string): Promise<Array<[number, number]>> {
  const cpToUnit: number[] = [];
  let u = 0;
  for (const ch of text) {
    cpToUnit.push(u);
    u += ch.length;
  }
  cpToUnit.push(u);
  const enc = await ref.encode(text, null, { addSpecialTokens: false });
  return enc.getOffsets().map(([a, b]) => [cpToUnit[a], cpToUnit[b]] as [number, number]);
}

export function sourceFiles(dirs: string[], ext: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else if (ext.test(e.name)) out.push(p);
    }
  };
  dirs.forEach(walk);
  return out.sort();
}

export const ADVERSARIAL: string[] = [
  '',
  ' ',
  '\n',
  'emoji 😀👍🏽👨‍👩‍👧‍👦 🇫🇷 and ✔️',
  '日本語のテキスト、中文文本，한국어 텍스트',
  'combining: e\u0301 a\u0308 n\u0303 \u0301lead Zalgo: Z\u0351\u0364a\u0356l\u0310g\u0346o',
  'crlf\r\nline\r\n\r\n\rend\r',
  '\t\tindented\t with\ttabs \t\n\t',
  '12345678901234567890 3.14159265358979 0xDEADBEEF 1_000_000u64 ١٢٣٤ ⅫⅣ ²³',
  'lone surrogates \ud800 x \udc00 y \ud83d',
  '<|endoftext|> <|im_start|>user\nhi<|im_end|> <|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>',
  '<COMMIT_START><FILE>src/lib.rs<OLD_CODE_START> <TRUNCATED> <PAD>',
  '<think>reasoning</think> <tool_call>{}</tool_call> <|repo_name|>x<|file_sep|>y',
  "It's don't we'LL they'RE I'M you'D 'S",
  '   leading and trailing spaces   ',
  '\u0085next-line \ufeffbom \u00a0nbsp \u2028ls \u3000ideographic \u200bzwsp',
  'mixed Ελληνικά кириллица עברית العربية हिन्दी ไทย',
  'a'.repeat(300) + ' ' + 'ab'.repeat(200),
  '////////////////////////////////////////////////////////////////',
  '    '.repeat(40) + 'x',
  'fn main() {\n    let x: Vec<u8> = vec![0; 10];\n    println!("{:?}", x);\n}\n',
  'NUL \u0000 and control \u0001\u001f\u007f chars',
  'ﬁ ligature Ⅻ ＡＢＣ full-width ㎏ ﬀ',
  'ΟΔΥΣΣΕΥΣ ΣΑΣ Σ',
];
