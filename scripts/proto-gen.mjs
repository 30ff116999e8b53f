#!/usr/bin/env node
// Lints proto/ with buf and generates the TypeScript contracts into packages/contracts/src/gen.
// With --check, generates into a temporary folder and fails when the committed code has drifted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const committed = join(root, 'packages/contracts/src/gen');
const check = process.argv.includes('--check');
const bin = join(root, 'node_modules/.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };

function run(args) {
  execFileSync(join(bin, 'buf'), args, { cwd: root, env, stdio: 'inherit' });
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

run(['lint']);
if (!check) {
  rmSync(committed, { recursive: true, force: true });
  run(['generate']);
  console.log(`contracts generated into ${relative(root, committed)}`);
} else {
  const out = mkdtempSync(join(tmpdir(), 'fluxi-proto-'));
  try {
    run([
      'generate',
      '--template',
      JSON.stringify({
        version: 'v2',
        plugins: [{ local: 'protoc-gen-es', out, opt: ['target=ts', 'import_extension=js'] }],
      }),
    ]);
    const fresh = listFiles(out)
      .map((f) => relative(out, f))
      .sort();
    const old = listFiles(committed)
      .map((f) => relative(committed, f))
      .sort();
    const drift = [...new Set([...fresh, ...old])].filter((f) => {
      try {
        return readFileSync(join(out, f), 'utf8') !== readFileSync(join(committed, f), 'utf8');
      } catch {
        return true;
      }
    });
    if (drift.length > 0) {
      console.error(`generated contracts drifted from proto/: ${drift.join(', ')}\nrun: npm run proto:gen`);
      process.exit(1);
    }
    console.log('generated contracts match proto/');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
