/**
 * `.gitattributes` rules relevant to training data: linguist-generated and linguist-vendored.
 * A file `dir/.gitattributes` applies to paths below `dir/`; later lines and deeper files win.
 */
import { globToRegExp } from './glob';

export interface AttrRule {
  /** Directory of the .gitattributes file ('' for the root), with a trailing '/' when not root. */
  base: string;
  re: RegExp;
  generated?: boolean;
  vendored?: boolean;
}

export function parseGitattributes(text: string, dir: string): AttrRule[] {
  const base = dir === '' ? '' : dir.replace(/\/?$/, '/');
  const rules: AttrRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('[attr]')) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    const rule: AttrRule = { base, re: /$^/ };
    for (const a of attrs) {
      const v = attrValue(a, 'linguist-generated');
      if (v !== undefined) rule.generated = v;
      const w = attrValue(a, 'linguist-vendored');
      if (w !== undefined) rule.vendored = w;
    }
    if (rule.generated === undefined && rule.vendored === undefined) continue;
    try {
      rule.re = globToRegExp(pattern);
    } catch {
      continue; // an unparsable pattern in a repository file is ignored, like git does
    }
    rules.push(rule);
  }
  return rules;
}

function attrValue(attr: string, name: string): boolean | undefined {
  if (attr === name || attr === `${name}=true` || attr === `${name}=set`) return true;
  if (attr === `-${name}` || attr === `!${name}` || attr === `${name}=false` || attr === `${name}=unset`) return false;
  return undefined;
}

/** Evaluates rules (in order: shallower files first, lines in file order) for one path. */
export function linguistAttrs(rules: readonly AttrRule[], path: string): { generated: boolean; vendored: boolean; from?: string } {
  let generated = false;
  let vendored = false;
  let from: string | undefined;
  for (const r of rules) {
    if (r.base !== '' && !path.startsWith(r.base)) continue;
    if (!r.re.test(path.slice(r.base.length))) continue;
    if (r.generated !== undefined) generated = r.generated;
    if (r.vendored !== undefined) vendored = r.vendored;
    if (r.generated || r.vendored) from = `${r.base}.gitattributes`;
  }
  return from && (generated || vendored) ? { generated, vendored, from } : { generated, vendored };
}
