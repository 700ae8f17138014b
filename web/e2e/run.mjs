// Runs every browser test (e2e/tests/*.mjs, each exporting `tests`: [{ name, run(ctx) }]) once on
// SQLite and once on PostgreSQL, each backend with its own fresh database and server. Prints one
// line per test and a summary; exits 1 if any failed. Chromium missing is a failure, not a skip.
// Usage: node e2e/run.mjs [NAME-FILTER]
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CHROMIUM, assert, freshDb, launchBrowser, screensDir, startServer,
} from './harness.mjs';
import { PASSWORD, USERS, seed } from './fixtures.mjs';

const filter = process.argv[2] ?? '';
const here = new URL('.', import.meta.url).pathname;

async function loadTests() {
  const all = [];
  for (const f of readdirSync(join(here, 'tests')).filter((f) => f.endsWith('.mjs')).sort()) {
    const mod = await import(pathToFileURL(join(here, 'tests', f)).href);
    for (const t of mod.tests) all.push({ ...t, file: f });
  }
  return all.filter((t) => t.name.includes(filter));
}

function makeContext(base, backend, db, browser, fixture) {
  const screens = screensDir();
  return {
    base,
    backend,
    db,
    browser,
    ...fixture,
    /* A page in a fresh browser context (no cookies, no storage). Console errors and CSP
     * violations fail the test that opened it. */
    async newPage(opts = {}) {
      const context = await browser.newContext({
        viewport: opts.viewport ?? { width: 1280, height: 800 },
        locale: 'ja-JP',
        deviceScaleFactor: 1,
        isMobile: opts.isMobile ?? false,
        hasTouch: opts.hasTouch ?? false,
      });
      const page = await context.newPage();
      page.consoleErrors = [];
      page.on('console', (m) => {
        // A 4xx the screen shows in words is expected; the browser logs each one.
        if (m.type() === 'error' && !/status of (4\d\d)/.test(m.text())) page.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
      this.pages.push(page);
      return page;
    },
    pages: [],
    async shot(page, name) {
      // One set of pictures is enough: the screens do not depend on the store.
      if (backend === 'sqlite') await page.screenshot({ path: join(screens, `${name}.png`), fullPage: true });
    },
    async signIn(page, role) {
      const u = USERS[role];
      await page.goto(base + '/');
      await page.getByLabel('ログインID').fill(u.login);
      await page.getByLabel('パスワード').fill(PASSWORD);
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.waitForSelector(`[data-page="home-${role}"]`);
    },
  };
}

async function main() {
  assert(existsSync(CHROMIUM), `${CHROMIUM} not found: install Debian's chromium (scripts/deps.sh test)`);
  const tests = await loadTests();
  let passed = 0;
  let failed = 0;
  for (const backend of ['sqlite', 'postgresql']) {
    const dir = mkdtempSync(join(tmpdir(), 'ikiiki-e2e-'));
    const db = freshDb(backend, dir);
    if (db === null) {
      console.log(`-- ${backend}: not run (IKIIKI_TEST_NO_PG=1)`);
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const fixture = seed(db);
    const server = await startServer(db);
    const { browser, close } = await launchBrowser();
    console.log(`-- ${backend}: ${server.base}`);
    try {
      for (const t of tests) {
        const ctx = makeContext(server.base, backend, db, browser, fixture);
        const t0 = Date.now();
        try {
          await t.run(ctx);
          const errors = ctx.pages.flatMap((p) => p.consoleErrors);
          assert(errors.length === 0, `browser console errors: ${errors.join(' | ')}`);
          passed++;
          console.log(`ok   ${backend} ${t.name} (${Date.now() - t0} ms)`);
        } catch (e) {
          failed++;
          console.log(`FAIL ${backend} ${t.name}: ${e?.stack ?? e}`);
          for (const [i, p] of ctx.pages.entries())
            await p.screenshot({ path: join(screensDir(), `FAIL-${backend}-${t.name.replace(/\W+/g, '_')}-${i}.png`) }).catch(() => {});
        } finally {
          for (const p of ctx.pages) await p.context().close().catch(() => {});
        }
      }
    } finally {
      await close();
      const code = await server.stop();
      if (code !== 0) {
        failed++;
        console.log(`FAIL ${backend}: server exited with ${code}\n${server.log().slice(-2000)}`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`${passed} passed, ${failed} failed (browser tests)`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`e2e: ${e?.stack ?? e}`);
  process.exit(1);
});
