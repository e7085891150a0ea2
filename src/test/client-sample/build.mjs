#!/usr/bin/env node
// Installs the packed @tasksync/client (target/client/*.tgz, from the frontend build) into a
// fresh copy of this app under target/client-sample/ and builds it with Vite, as a user
// would: nothing resolves into src/main/frontend. `mvn verify` runs it before the browser test.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const OUT = path.join(ROOT, 'target/client-sample');
const { version } = JSON.parse(readFileSync(path.join(ROOT, 'src/main/frontend/package.json'), 'utf8'));
const tarball = path.join(ROOT, `target/client/tasksync-client-${version}.tgz`);
if (!existsSync(tarball)) {
  console.error(`client-sample: ${tarball} missing; the frontend build (npm run build in src/main/frontend) packs it`);
  process.exit(1);
}

rmSync(OUT, { recursive: true, force: true });
cpSync(HERE, OUT, { recursive: true, filter: (src) => !/node_modules|build\.mjs$/.test(src) });
const run = (cmd, ...args) => execFileSync(cmd, args, { cwd: OUT, stdio: 'inherit' });
run('npm', 'install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock');
const installed = JSON.parse(readFileSync(path.join(OUT, 'node_modules/@tasksync/client/package.json'), 'utf8'));
if (installed.version !== version) throw new Error(`installed @tasksync/client ${installed.version}, expected ${version}`);
if (existsSync(path.join(OUT, 'node_modules/@tasksync/client/src'))) throw new Error('the tarball ships src/: "files" is wrong');
run('npm', 'run', 'build');
console.log(`client-sample: built ${path.join(OUT, 'site/assets/sample')} from ${path.relative(ROOT, tarball)}`);
