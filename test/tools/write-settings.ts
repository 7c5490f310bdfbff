/**
 * Writes package.json's `contributes.configuration.properties` from the settings table (src/core/pipeline/schema.ts):
 *
 *   npm run settings:write
 *
 * test/unit/architecture/settings.test.ts fails while the two differ.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configurationProperties } from '../../src/core/pipeline/schema';

const file = path.join(__dirname, '../../package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { contributes: { configuration: { properties: unknown } } };
pkg.contributes.configuration.properties = configurationProperties();
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`wrote ${Object.keys(pkg.contributes.configuration.properties as object).length} settings into package.json`);
