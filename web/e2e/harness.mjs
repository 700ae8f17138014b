// The browser-test harness: the real `ikiiki` binary (IKIIKI_BIN) on a free loopback port, on a
// fresh SQLite file and a fresh PostgreSQL database (IKIIKI_TEST_PG from
// scripts/with-postgres.sh), driven through Debian's /usr/bin/chromium by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.IKIIKI_CHROMIUM || '/usr/bin/chromium';

export function bin() {
  const b = process.env.IKIIKI_BIN;
  if (!b) throw new Error('IKIIKI_BIN is not set (meson sets it; or point it at build/ikiiki)');
  return b;
}

/* Runs the CLI; returns { code, stdout, stderr }. */
export function cli(db, args, input) {
  const r = spawnSync(bin(), [...args, '--db', db], { input: input ?? '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cliOk(db, args, input) {
  const r = cli(db, args, input);
  if (r.code !== 0) throw new Error(`ikiiki ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/* A fresh database URL for the backend, or null when PostgreSQL is asked for and
 * IKIIKI_TEST_NO_PG=1 says to do without. */
export function freshDb(backend, dir) {
  if (backend === 'sqlite') return join(dir, 'e2e.db');
  const admin = process.env.IKIIKI_TEST_PG;
  if (!admin) {
    if (process.env.IKIIKI_TEST_NO_PG === '1') return null;
    throw new Error('IKIIKI_TEST_PG is not set; run through scripts/with-postgres.sh (or set IKIIKI_TEST_NO_PG=1)');
  }
  const name = `e2e_${process.pid}_${Date.now() % 100000}`;
  for (const sql of [`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}`]) {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', admin, '-c', sql], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`psql: ${sql}: ${r.stderr || r.error}`);
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/* Starts `ikiiki serve` on 127.0.0.1:0 and waits for "listening on http://…". */
export function startServer(db, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      bin(),
      ['serve', '--db', db, '--listen', '127.0.0.1:0', '--audiosocket', 'off', '--media-ws', 'off',
       '--threads', '2', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 30 s:\n${log}`));
    }, 30000);
    const onData = (d) => {
      log += d.toString();
      const m = log.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          base: m[1],
          log: () => log,
          stop: () =>
            new Promise((res) => {
              if (child.exitCode !== null) return res(child.exitCode);
              child.once('exit', (code) => res(code));
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${log}`));
    });
  });
}

export async function launchBrowser() {
  // A plain launch runs Chromium on a fresh temporary --user-data-dir of Playwright's own (it
  // refuses the flag in args), away from $HOME; every test then opens its own context.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

export function screensDir() {
  const d = process.env.IKIIKI_E2E_SCREENS || join(process.cwd(), 'e2e-screens');
  mkdirSync(d, { recursive: true });
  return d;
}

export class AssertionError extends Error {}

export function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

export function assertEq(actual, expected, what) {
  if (actual !== expected)
    throw new AssertionError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
