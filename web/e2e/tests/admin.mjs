// Administration screens: companies, centers with headcounts, teams, users (create with a
// one-time password, disable, new password), API keys shown once, the audit log's filters, and
// pages a role may not open (refused by the UI and by the API).
import { assert, assertEq } from '../harness.mjs';
import { PASSWORD } from '../fixtures.mjs';

async function trySignIn(ctx, login, password) {
  const page = await ctx.newPage();
  await page.goto(ctx.base + '/');
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await Promise.race([
    page.locator('[data-page^=home-]').waitFor(),
    page.getByRole('alert').waitFor(),
  ]);
  return (await page.locator('[data-page^=home-]').count()) > 0;
}

export const tests = [
  {
    name: 'admin: companies and centers with headcounts and teams',
    async run(ctx) {
      const page = await ctx.newPage();
      await ctx.signIn(page, 'admin');
      await page.getByRole('link', { name: '企業' }).click();
      await page.getByRole('cell', { name: 'アクメ株式会社' }).waitFor();
      await page.getByText('企業を追加').click();
      await page.getByLabel('コード').fill('NEWCO');
      await page.getByLabel('名前').fill('新会社');
      await page.getByRole('button', { name: '作成' }).click();
      await page.getByRole('cell', { name: '新会社' }).waitFor();
      await ctx.shot(page, 'admin-companies');

      await page.getByRole('link', { name: 'センター', exact: true }).click();
      await page.getByRole('cell', { name: '東京センター' }).waitFor();
      await page.getByText('センターを追加').click();
      await page.locator('#ce-code').fill('NGY');
      await page.locator('#ce-name').fill('名古屋センター');
      await page.locator('#ce-company').selectOption('ACME');
      await page.locator('#ce-hc-OP').fill('42');
      await page.locator('#ce-hc-SV').fill('5');
      await page.locator('#ce-hc-MGR').fill('1');
      await page.locator('#ce-hc-OTHER').fill('2');
      await page.getByRole('button', { name: '作成' }).click();
      await page.getByRole('cell', { name: '名古屋センター' }).waitFor();
      await ctx.shot(page, 'admin-centers');
      await page.getByRole('link', { name: 'NGY' }).click();
      await page.getByRole('heading', { name: '名古屋センター の設定' }).waitFor();
      assertEq(await page.getByLabel('オペレーター').inputValue(), '42', 'OP headcount');
      await page.getByLabel('オペレーター').fill('45');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByText('保存しました').waitFor();
      await page.locator('#tm-code').fill('N1');
      await page.locator('#tm-name').fill('名古屋第一チーム');
      await page.getByRole('button', { name: 'チームを追加' }).click();
      await page.getByText('名古屋第一チーム（N1）').waitFor();
      await ctx.shot(page, 'admin-center-detail');
      const c = await (await page.request.get(ctx.base + '/api/v1/centers/NGY')).json();
      assertEq(c.headcounts.OP, 45, 'stored OP headcount');
      assertEq(c.headcounts.SV, 5, 'stored SV headcount');
    },
  },
  {
    name: 'admin: a user made in the browser signs in with the one-time password, is disabled, gets a new one',
    async run(ctx) {
      const page = await ctx.newPage();
      await ctx.signIn(page, 'admin');
      await page.getByRole('link', { name: 'ユーザー' }).click();
      await page.getByRole('cell', { name: 'mgr1' }).waitFor();
      await page.getByText('ユーザーを追加').click();
      await page.locator('#us-login').fill('new.op');
      await page.locator('#us-name').fill('新人 太郎');
      await page.locator('#us-role').selectOption('operator');
      await page.locator('#us-center').selectOption('TKY');
      await page.locator('#us-team').selectOption('A');
      await page.getByRole('button', { name: '作成' }).click();
      const secret = (await page.getByTestId('secret').innerText()).trim();
      assert(secret.length >= 16, 'a one-time password is shown');
      await ctx.shot(page, 'admin-users-created');
      assert(await trySignIn(ctx, 'new.op', secret), 'the new user signs in with it');
      await page.getByRole('button', { name: '閉じる' }).click();
      assertEq(await page.getByTestId('secret').count(), 0, 'the password is gone once closed');

      await page.getByRole('link', { name: 'new.op' }).click();
      await page.getByRole('heading', { name: 'new.op の編集' }).waitFor();
      await page.getByRole('button', { name: '無効にする' }).click();
      await page.getByRole('button', { name: '有効にする' }).waitFor();
      assert(!(await trySignIn(ctx, 'new.op', secret)), 'a disabled user cannot sign in');
      await page.getByRole('button', { name: '有効にする' }).click();
      await page.getByRole('button', { name: '無効にする' }).waitFor();
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: 'パスワードを再発行' }).click();
      const again = (await page.getByTestId('secret').innerText()).trim();
      assert(again !== secret, 'a different password');
      await ctx.shot(page, 'admin-user-edit');
      assert(!(await trySignIn(ctx, 'new.op', secret)), 'the old password no longer works');
      assert(await trySignIn(ctx, 'new.op', again), 'the new password works');
    },
  },
  {
    name: 'admin: a center manager may create only supervisors and operators of the center',
    async run(ctx) {
      const page = await ctx.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      await ctx.signIn(page, 'center_manager');
      await page.goto(ctx.base + '/admin/users');
      await page.getByText('ユーザーを追加').click();
      const roles = await page.locator('#us-role option').evaluateAll((o) => o.map((x) => x.value));
      assertEq(roles.join(','), 'supervisor,operator', 'roles a manager may give');
      await page.locator('#us-login').fill('mgr.made.op');
      await page.getByRole('button', { name: '作成' }).click();
      await page.getByTestId('secret').waitFor();
      await page.getByRole('cell', { name: 'mgr.made.op' }).waitFor();
      await ctx.shot(page, 'admin-users-manager-phone');
    },
  },
  {
    name: 'admin: an API key is shown once and works',
    async run(ctx) {
      const page = await ctx.newPage();
      await ctx.signIn(page, 'admin');
      await page.getByRole('link', { name: 'APIキー' }).click();
      await page.getByLabel('名前（英数字）').fill('reader1');
      await page.getByRole('button', { name: '作成' }).click();
      await page.getByRole('alert').waitFor();
      await page.getByLabel('読み取り（read）').check();
      await page.getByRole('button', { name: '作成' }).click();
      const key = (await page.getByTestId('secret').innerText()).trim();
      await page.getByRole('cell', { name: 'reader1' }).waitFor();
      await ctx.shot(page, 'admin-apikeys');
      const r = await page.request.get(ctx.base + '/api/v1/centers', {
        headers: { Authorization: `Bearer ${key}` },
      });
      assertEq(r.status(), 200, 'GET /centers with the new key');
      const list = await (await page.request.get(ctx.base + '/api/v1/apikeys')).text();
      assert(!list.includes(key), 'the key is not listed again');
    },
  },
  {
    name: 'admin: the audit log filters by action',
    async run(ctx) {
      const page = await ctx.newPage();
      await ctx.signIn(page, 'admin');
      await page.getByRole('link', { name: '監査ログ' }).click();
      await page.getByRole('cell', { name: 'login', exact: true }).first().waitFor();
      await page.getByLabel('操作', { exact: true }).selectOption('login');
      const actions = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
      assert(actions.length > 0, 'sign-ins are logged');
      assert(actions.every((a) => a === 'login'), `only sign-ins shown: ${[...new Set(actions)]}`);
      await ctx.shot(page, 'admin-audit');
    },
  },
  {
    name: 'access: pages a role may not open are refused by the UI and the API',
    async run(ctx) {
      const cases = [
        ['operator', '/admin/users', '/api/v1/users'],
        ['operator', '/admin/centers', '/api/v1/centers'],
        ['supervisor', '/admin/audit', '/api/v1/audit'],
        ['center_manager', '/admin/apikeys', '/api/v1/apikeys'],
        ['consultant', '/admin/audit', '/api/v1/audit'],
      ];
      for (const [role, path, apiPath] of cases) {
        const page = await ctx.newPage();
        await ctx.signIn(page, role);
        const menu = await page.locator('nav.menu a').allInnerTexts();
        await page.goto(ctx.base + path);
        await page.locator('[data-page=forbidden]').waitFor();
        const r = await page.request.get(ctx.base + apiPath);
        assertEq(r.status(), 403, `${role} GET ${apiPath}`);
        if (role === 'operator') {
          assert(!menu.includes('ユーザー') && !menu.includes('センター'), `operator menu: ${menu}`);
          await ctx.shot(page, 'forbidden-operator');
        }
        await page.context().close();
      }
    },
  },
];
