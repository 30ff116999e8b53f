#!/usr/bin/env node
// Writes the OpenAPI document of the REST API (docs/openapi.json) from the gateway's routes
// (services/gateway/src/rest, built into dist first), then lints it with Redocly (redocly.yaml,
// recommended-strict: a warning fails too; telemetry off, no network).
// --check: fails when the committed document differs from the generated one, then lints it.
// --file <path>: checks or writes another file (tests use it).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as prettier from 'prettier';

const root = new URL('..', import.meta.url).pathname;
const { openApiDocument, OPENAPI_FILE } = await import(join(root, 'services/gateway/dist/rest/openapi.js'));
const args = process.argv.slice(2);
const check = args.includes('--check');
const at = args.indexOf('--file');
const file = at >= 0 ? args[at + 1] : join(root, OPENAPI_FILE);

const options = (await prettier.resolveConfig(join(root, OPENAPI_FILE))) ?? {};
const text = await prettier.format(JSON.stringify(openApiDocument()), { ...options, parser: 'json' });
if (check) {
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (committed !== text) {
    console.error(
      `openapi: ${relative(root, file)} differs from the document the REST routes generate: run npm run openapi and commit it`,
    );
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  console.log(`openapi: ${relative(root, file)} written`);
}
execFileSync(join(root, 'node_modules/.bin/redocly'), ['lint', file, '--config', join(root, 'redocly.yaml')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
