#!/usr/bin/env node
// The package build (`npm run build` runs it after the demo): ESM per entry point (vite
// library mode), .d.ts (tsc), the 'use client' marker on the React entry, the size budget,
// the API reference up to date, and `npm pack` into <repo>/target/client/. Any failure
// exits non-zero, which fails `mvn verify` / `make test`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minifySync } from 'rolldown/utils';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACK_DIR = path.resolve(HERE, '../../../target/client');
/** gzip bytes of each entry, minified as an app's bundler would (issue #14's budget). */
export const BUDGET = { 'index.js': 4_864, 'react.js': 1_536, 'sse.js': 2_048, 'helpers.js': 1_024 };

const run = (cmd, args) => execFileSync(cmd, args, { cwd: HERE, stdio: 'inherit' });
const npx = (...args) => run('npx', ['--no-install', ...args]);
const fail = (msg) => {
  console.error(`package: ${msg}`);
  process.exit(1);
};

npx('vite', 'build', '-c', 'vite.lib.config.ts', '--logLevel', 'warn');
npx('tsc', '-p', 'tsconfig.lib.json');

const lib = path.join(HERE, 'lib');
const chunks = readdirSync(lib).filter((f) => f.endsWith('.js') && !(f in BUDGET));
if (chunks.length) fail(`unexpected shared chunks ${chunks.join(', ')}: every entry must import the core by its package name`);
if (!/^["']use client["'];/.test(readFileSync(path.join(lib, 'react.js'), 'utf8'))) fail("lib/react.js does not start with 'use client'");

const sizes = {};
for (const [file, limit] of Object.entries(BUDGET)) {
  const code = readFileSync(path.join(lib, file), 'utf8');
  const min = minifySync(file, code, { compress: true, mangle: true }).code;
  const gz = gzipSync(min, { level: 9 }).length;
  sizes[file] = gz;
  console.log(`package: ${file} ${code.length} B, minified ${min.length} B, gzip ${gz} B (budget ${limit} B)`);
  if (gz > limit) fail(`${file} is ${gz} B gzip, over its budget of ${limit} B`);
}

// The API reference is generated from the types; a checked-in copy that differs fails the build.
const fresh = mkdtempSync(path.join(tmpdir(), 'tasksync-docs-'));
try {
  npx('typedoc', '--logLevel', 'Warn', '--out', fresh);
  const diff = spawnDiff(path.join(HERE, 'docs/api'), fresh);
  if (diff) fail(`docs/api is out of date (run \`npm run docs\` in src/main/frontend and commit it):\n${diff}`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

mkdirSync(PACK_DIR, { recursive: true });
run('npm', ['pack', '--silent', '--pack-destination', PACK_DIR]);
console.log(`package: ${PACK_DIR}/tasksync-client-${JSON.parse(readFileSync(path.join(HERE, 'package.json'), 'utf8')).version}.tgz`);

function spawnDiff(a, b) {
  try {
    execFileSync('diff', ['-ru', a, b], { encoding: 'utf8' });
    return '';
  } catch (err) {
    return String(err.stdout || err.message).slice(0, 4000);
  }
}
