/**
 * The parts of package.json that come from the engine's tables: the editor settings (src/core/pipeline/schema.ts)
 * and the languages the hover and the editor's commands serve (src/core/chunk/languages.ts).
 *
 *   npm run manifest:write      rewrites them in package.json
 *
 * test/unit/architecture/settings.test.ts fails while package.json and the tables differ.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LANGUAGES } from '../../src/core/chunk/languages';
import { configurationProperties } from '../../src/core/pipeline/schema';

export const PACKAGE_JSON = path.join(__dirname, '../../package.json');

type Manifest = { activationEvents: string[]; contributes: Record<string, unknown> & { configuration: { properties: unknown } } };

/** `pkg` with its generated parts made from the tables (a new object; `pkg` is not changed). */
export function generatedManifest(pkg: Manifest): Manifest {
  const out = structuredClone(pkg);
  const ids = LANGUAGES.flatMap((l) => l.editorIds);
  out.activationEvents = [...pkg.activationEvents.filter((e) => !e.startsWith('onLanguage:')), ...ids.map((id) => `onLanguage:${id}`)];
  out.contributes.configuration.properties = configurationProperties();
  // every `editorLangId =~ /^(…)$/` of a when clause lists the languages of the table
  const when = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/editorLangId =~ \/\^\([^)]*\)\$\//g, `editorLangId =~ /^(${ids.join('|')})$/`);
    if (Array.isArray(v)) return v.map(when);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, when(x)]));
    return v;
  };
  for (const k of Object.keys(out.contributes)) if (k !== 'configuration') out.contributes[k] = when(out.contributes[k]);
  return out;
}

if (require.main === module) {
  const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as Manifest;
  fs.writeFileSync(PACKAGE_JSON, JSON.stringify(generatedManifest(pkg), null, 2) + '\n');
  console.log(`package.json: ${Object.keys(configurationProperties()).length} settings, ${LANGUAGES.length} languages`);
}
