// Sign-in, homes per role, sign-out, the refused page, the SPA fallback and the static headers.
import { assert, assertEq } from '../harness.mjs';
import { PASSWORD, USERS } from '../fixtures.mjs';

const ROLES = Object.keys(USERS);

export const tests = [
  {
    name: 'signin: wrong password is shown in words',
    async run(ctx) {
      const page = await ctx.newPage();
      await page.goto(ctx.base + '/');
      assertEq(await page.getAttribute('html', 'lang'), 'ja', 'html lang');
      await page.getByLabel('ログインID').fill('mgr1');
      await page.getByLabel('パスワード').fill('not-the-password');
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByRole('alert').waitFor();
      const text = await page.getByRole('alert').innerText();
      assert(text.includes('ログインIDまたはパスワードが違います'), `alert says: ${text}`);
      await ctx.shot(page, 'signin-error');
    },
  },
  ...ROLES.map((role) => ({
    name: `signin: ${role} lands on the ${role} home`,
    async run(ctx) {
      const page = await ctx.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      await ctx.signIn(page, role);
      assertEq(new URL(page.url()).pathname, '/', 'home path');
      const h1 = await page.locator('h1').innerText();
      assertEq(h1, 'ホーム', 'home title');
      // The home's panels finish loading without an error.
      await page.waitForFunction(() => !document.querySelector('.state-loading'));
      assertEq(await page.locator('.state-error').count(), 0, 'error states on the home');
      await ctx.shot(page, `home-${role}`);
      // Sign out returns to the sign-in form, and the session is gone on the server.
      await page.getByRole('button', { name: 'ログアウト' }).click();
      await page.getByRole('button', { name: 'ログイン' }).waitFor();
      const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
      assertEq(me, 401, 'GET /me after sign-out');
    },
  })),
  {
    name: 'signin: a reload keeps the session; an unknown path shows the not-found page',
    async run(ctx) {
      const page = await ctx.newPage();
      await ctx.signIn(page, 'center_manager');
      await page.goto(ctx.base + '/no/such/screen');
      await page.getByRole('heading', { name: 'ページが見つかりません' }).waitFor();
    },
  },
  {
    name: 'signin: english switch is kept in the browser',
    async run(ctx) {
      const page = await ctx.newPage();
      await page.goto(ctx.base + '/');
      await page.getByLabel('表示言語').selectOption('en');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.reload();
      await page.getByLabel('Login ID').fill(USERS.admin.login);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Home' }).waitFor();
      assertEq(await page.getAttribute('html', 'lang'), 'en', 'html lang after the switch');
      await ctx.shot(page, 'home-admin-en');
    },
  },
  {
    name: 'static: headers, gzip, cache lifetimes and the API stays JSON',
    async run(ctx) {
      const page = await ctx.newPage();
      const res = await page.goto(ctx.base + '/');
      const h = res.headers();
      assertEq(h['cache-control'], 'no-cache', 'index cache-control');
      assert(/script-src 'self'/.test(h['content-security-policy'] ?? ''), 'CSP on the page');
      assertEq(h['content-encoding'], 'gzip', 'index sent gzipped');
      const script = await page.locator('script[type=module]').first().getAttribute('src');
      const asset = await page.request.get(ctx.base + script);
      assertEq(asset.headers()['cache-control'], 'public, max-age=31536000, immutable', 'asset cache-control');
      assert(asset.headers()['content-type'].startsWith('text/javascript'), 'asset type');
      const api = await page.request.get(ctx.base + '/api/v1/no-such-route');
      assertEq(api.status(), 404, 'unknown API route');
      assert((await api.text()).includes('"error"'), 'unknown API route answers JSON');
      const missing = await page.request.get(ctx.base + '/assets/missing-0000.js');
      assertEq(missing.status(), 404, 'missing asset');
    },
  },
];
