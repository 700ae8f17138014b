// The anonymous answer form on a phone-sized screen: answering from the link, a reload that
// loses nothing, the count the manager sees, no request outside the server, no cookie, the
// closed link and the rate limit.
import { assert, assertEq } from '../harness.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function managerCount(ctx) {
  const page = await ctx.newPage(PHONE);
  await ctx.signIn(page, 'center_manager');
  const el = page.getByTestId('respondents');
  await el.waitFor();
  const n = Number((await el.innerText()).replace(/[^0-9]/g, ''));
  return { page, n };
}

/* Answers every page of the form; the value for item i is (i % 6) + 1. */
async function answerAll(ctx, page, { reloadAt = -1, shots = false } = {}) {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  if (shots) await ctx.shot(page, 'form-intro');
  await page.getByRole('button', { name: '次へ' }).click();
  // About you: position is required.
  await page.locator('section[data-page=attrs]').waitFor();
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByRole('alert').waitFor();
  assert((await page.getByRole('alert').innerText()).includes('職種'), 'position is asked for');
  await page.locator('select[name=position]').selectOption('OP');
  if (await page.locator('select[name=team]').count()) await page.locator('select[name=team]').selectOption('受付チーム');
  await page.locator('select[name=tenure]').selectOption('1年以上3年未満');
  await page.locator('select[name=segment]').selectOption({ index: 1 });
  if (shots) await ctx.shot(page, 'form-attrs');
  await page.getByRole('button', { name: '次へ' }).click();
  let k = 0;
  for (let p = 0; ; p++) {
    const section = page.locator('section[data-page^=group-]');
    if ((await page.locator('section[data-page=comment]').count()) > 0) break;
    await section.waitFor();
    const names = await section.locator('input[type=radio]').evaluateAll((els) => [
      ...new Set(els.map((e) => e.name)),
    ]);
    assert(names.length > 0, 'a page of items');
    for (const name of names) {
      assert(/^[A-Z]\d\d$/.test(name), `radio group named by item ID, got ${name}`);
      const v = (k++ % 6) + 1;
      // The label is the touch target: a tap on the text chooses the value.
      await section.locator(`input[name="${name}"][value="${v}"]`).check();
    }
    if (shots && p === 0) await ctx.shot(page, 'form-items');
    if (p === reloadAt) {
      await page.reload();
      await section.waitFor();
      const kept = await section.locator('input[type=radio]:checked').count();
      assertEq(kept, names.length, 'answers kept across a reload');
    }
    await page.getByRole('button', { name: '次へ' }).click();
    await page.waitForFunction((prev) => !document.querySelector(`input[name="${prev}"]`), names[0]);
  }
  await page.locator('textarea[name=comment]').fill('休憩が取りやすくなると嬉しいです。');
  if (shots) await ctx.shot(page, 'form-comment');
  return k;
}

export const tests = [
  {
    name: 'collect: a respondent answers on a phone; the manager sees the count change',
    async run(ctx) {
      const before = await managerCount(ctx);
      const page = await ctx.newPage(PHONE);
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${ctx.base}/a/${ctx.token}`);
      assertEq(await page.getAttribute('html', 'lang'), 'ja', 'html lang');
      const promise = await page.locator('.promise').innerText();
      assert(promise.includes('無記名'), 'the anonymity promise is on the first page');
      const items = await answerAll(ctx, page, { reloadAt: 2, shots: true });
      const doc = await (await page.request.get(`${ctx.base}/api/v1/collect/${ctx.token}`)).json();
      const q = doc.questionnaire;
      const want = [...q.elements, q.overall, q.happiness].reduce((n, g) => n + g.items.length, 0);
      assertEq(items, want, 'scale items answered, one radio group each');
      await page.getByRole('button', { name: '送信' }).click();
      await page.getByText('ありがとうございました').first().waitFor();
      await ctx.shot(page, 'form-thanks');
      // Nothing left behind: no cookie, no stored answers, no request to another origin.
      assertEq((await page.context().cookies()).length, 0, 'cookies set by the form');
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ikiiki.')));
      assertEq(stored.length, 0, 'stored answers after sending');
      const outside = requests.filter((u) => !u.startsWith(ctx.base + '/'));
      assertEq(outside.length, 0, `requests outside the server: ${outside.join(', ')}`);
      assert(requests.some((u) => u.includes('/api/v1/collect/')), 'the form spoke to the API');
      // The manager's count moves by one after a refresh.
      await before.page.getByRole('button', { name: '最新の値に更新' }).click();
      await before.page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid=respondents]')?.textContent?.replace(/[^0-9]/g, '')) === n,
        before.n + 1,
      );
      await ctx.shot(before.page, 'home-center_manager-after-answer');
    },
  },
  {
    name: 'collect: the form sends no cookie even when a staff session exists in the browser',
    async run(ctx) {
      const page = await ctx.newPage(PHONE);
      await ctx.signIn(page, 'center_manager');
      const sent = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/collect/')) sent.push(r.headers()['cookie'] ?? '');
      });
      await page.goto(`${ctx.base}/a/${ctx.token}`);
      await page.locator('section[data-page=intro]').waitFor();
      assert(sent.length > 0, 'the form asked for its questionnaire');
      assertEq(sent.filter((c) => c !== '').length, 0, 'requests of the form carrying a cookie');
    },
  },
  {
    name: 'collect: a closed link says so',
    async run(ctx) {
      const page = await ctx.newPage(PHONE);
      await page.goto(`${ctx.base}/a/${ctx.tokens.FUK}`);
      await page.getByRole('heading', { name: '回答の受付は終了しました' }).waitFor();
      await ctx.shot(page, 'form-closed');
      await page.goto(`${ctx.base}/a/no-such-token`);
      await page.getByRole('heading', { name: '回答リンクが見つかりません' }).waitFor();
    },
  },
  {
    name: 'collect: the rate limit is explained and the answers are kept',
    async run(ctx) {
      const page = await ctx.newPage(PHONE);
      await page.goto(`${ctx.base}/a/${ctx.tokens.OSK}`);
      await answerAll(ctx, page);
      // Use up the link's answers for this minute from outside the form (bad bodies count
      // nothing: only well-formed answers are counted, so send real ones).
      const status = await page.evaluate(async (url) => {
        let last = 0;
        for (let i = 0; i < 130 && last !== 429; i++) {
          const r = await fetch(url, {
            method: 'POST',
            credentials: 'omit',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ position: 'OP', answers: { G01: 3 } }),
          });
          last = r.status;
        }
        return last;
      }, `/api/v1/collect/${ctx.tokens.OSK}`);
      assertEq(status, 429, 'the link limits answers per minute');
      await page.getByRole('button', { name: '送信' }).click();
      await page.getByRole('alert').waitFor();
      const text = await page.getByRole('alert').innerText();
      assert(text.includes('集中'), `rate-limit message: ${text}`);
      await ctx.shot(page, 'form-rate-limited');
      const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ikiiki.answers.')).length);
      assertEq(kept, 1, 'answers still kept in the browser');
    },
  },
];
