/**
 * The Commits view's filter expression, shared by the editor (files and chunks it shows) and the worker (which
 * commits have a matching file): a language id matches exactly (`rust`, `python`); anything else is a path
 * substring (`src/`, `auth.py`) or a `*` glob tried on the whole path and on the file name (`*.rs`). Case-insensitive.
 */
import { languageOf } from './languages';

export function matchesPathFilter(filter: string, filePath: string, language: string | null = languageOf(filePath)): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  if (language && language.toLowerCase() === f) return true;
  const p = filePath.toLowerCase();
  if (!f.includes('*')) return p.includes(f);
  const re = new RegExp(
    `^${f
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(p) || re.test(p.slice(p.lastIndexOf('/') + 1));
}
