// Bytes shipped per page and first render time of the answer form, in Debian's headless
// Chromium against the real server on loopback (the browser tests' harness and organisation).
// Usage (from bench/web/run.sh): IKIIKI_BIN=build/ikiiki node bench/web/measure.mjs [RUNS]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDb, launchBrowser, startServer } from '../../web/e2e/harness.mjs';
import { PASSWORD, USERS, seed } from '../../web/e2e/fixtures.mjs';

const runs = Number(process.argv[2] ?? 30);

/* Loads url in a fresh context; returns the bytes on the wire (encoded) by kind. */
async function shipped(browser, url, before, ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (before) await before(page);
  const sizes = [];
  const pending = [];
  page.on('requestfinished', (req) => {
    pending.push(
      req.sizes().then(
        (s) => sizes.push({ url: req.url(), type: req.resourceType(), body: s.responseBodySize, headers: s.responseHeadersSize }),
        () => {},
      ),
    );
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  // The page is shown and its requests are over: what it needed for its first screen.
  await page.waitForSelector(ready);
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);
  await context.close();
  const sum = (f) => sizes.filter(f).reduce((n, s) => n + s.body, 0);
  return {
    requests: sizes.length,
    js: sum((s) => s.type === 'script'),
    css: sum((s) => s.type === 'stylesheet'),
    html: sum((s) => s.type === 'document'),
    api: sum((s) => s.type === 'fetch' || s.type === 'xhr'),
    total: sum(() => true) + sizes.reduce((n, s) => n + s.headers, 0),
  };
}

/* Time from navigation start to the form's first heading in the DOM, and first contentful
 * paint, per run in a fresh context (nothing cached). */
async function formRender(browser, url) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('section[data-page=intro] h1')) {
        window.__rendered = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__rendered !== undefined);
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  const r = await page.evaluate(() => ({
    rendered: window.__rendered,
    fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
    html: performance.getEntriesByType('navigation')[0].responseEnd,
    api: performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/collect/'))?.responseEnd ?? NaN,
  }));
  await context.close();
  return r;
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const dir = mkdtempSync(join(tmpdir(), 'ikiiki-bench-web-'));
const db = freshDb('sqlite', dir);
const { token } = seed(db);
const server = await startServer(db, ['--no-access-log']);
const { browser, close } = await launchBrowser();
try {
  const kb = (n) => (n / 1024).toFixed(1).padStart(7);
  console.log('bytes shipped per page (encoded, as sent; a first visit with nothing cached)');
  console.log('page                          requests      js kB     css kB    html kB     api kB   total kB');
  // Signed in through the API (the cookie lands in the context) so the page load is the first
  // visit of the app's files.
  const signIn = async (page) => {
    const r = await page.request.post(server.base + '/api/v1/session', {
      data: { login: USERS.center_manager.login, password: PASSWORD },
    });
    if (r.status() !== 200) throw new Error(`sign-in: ${r.status()}`);
  };
  const pages = [
    ['answer form /a/TOKEN', `${server.base}/a/${token}`, null, 'section[data-page=intro]'],
    ['sign-in (staff app) /', `${server.base}/`, null, '#signin-login'],
    ['manager home (signed in) /', `${server.base}/`, signIn, '[data-testid=respondents]'],
  ];
  for (const [name, url, before, ready] of pages) {
    const s = await shipped(browser, url, before, ready);
    console.log(`${name.padEnd(30)}${String(s.requests).padStart(8)}${kb(s.js)}    ${kb(s.css)}    ${kb(s.html)}    ${kb(s.api)}    ${kb(s.total)}`);
  }
  const rendered = [];
  const fcp = [];
  const html = [];
  const apiDone = [];
  await formRender(browser, `${server.base}/a/${token}`); // warm the server, not the browser
  for (let i = 0; i < runs; i++) {
    const r = await formRender(browser, `${server.base}/a/${token}`);
    rendered.push(r.rendered);
    fcp.push(r.fcp);
    html.push(r.html);
    apiDone.push(r.api);
  }
  const f = (x) => x.toFixed(0).padStart(5);
  console.log(`\nanswer form first render, ${runs} runs, fresh context each (ms from navigation start)`);
  console.log(`page HTML received        median ${f(pct(html, 50))}   p90 ${f(pct(html, 90))}   max ${f(Math.max(...html))}`);
  console.log(`questionnaire received    median ${f(pct(apiDone, 50))}   p90 ${f(pct(apiDone, 90))}   max ${f(Math.max(...apiDone))}`);
  console.log(`form heading in the DOM   median ${f(pct(rendered, 50))}   p90 ${f(pct(rendered, 90))}   max ${f(Math.max(...rendered))}`);
  console.log(`first contentful paint    median ${f(pct(fcp, 50))}   p90 ${f(pct(fcp, 90))}   max ${f(Math.max(...fcp))}`);
} finally {
  await close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
