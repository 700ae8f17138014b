// The organisation every browser test starts from, made with the CLI (as an administrator
// would): one company, two centers, a user per role with a known password, a wave and an open
// answer link for center TKY.
import { cliOk } from './harness.mjs';

export const PASSWORD = 'e2e-password-123';
export const USERS = {
  admin: { login: 'admin1', role: 'admin' },
  consultant: { login: 'cons1', role: 'consultant', extra: ['--company', 'ACME'] },
  center_manager: { login: 'mgr1', role: 'center_manager', extra: ['--center', 'TKY'] },
  supervisor: { login: 'sv1', role: 'supervisor', extra: ['--center', 'TKY', '--team', 'A'] },
  operator: { login: 'op1', role: 'operator', extra: ['--center', 'TKY', '--team', 'A'] },
};
export const WAVE = '2026-H2';

export function seed(db) {
  cliOk(db, ['init']);
  cliOk(db, ['company', 'add', '--code', 'ACME', '--name', 'アクメ株式会社']);
  cliOk(db, ['center', 'add', '--code', 'TKY', '--name', '東京センター', '--operators', '20',
             '--staff', '4', '--company', 'ACME']);
  cliOk(db, ['center', 'add', '--code', 'OSK', '--name', '大阪センター', '--operators', '30',
             '--staff', '5', '--company', 'ACME']);
  cliOk(db, ['center', 'add', '--code', 'FUK', '--name', '福岡センター', '--operators', '8',
             '--company', 'ACME']);
  cliOk(db, ['team', 'add', '--center', 'TKY', '--code', 'A', '--name', '受付チーム']);
  cliOk(db, ['team', 'add', '--center', 'TKY', '--code', 'B', '--name', '技術サポートチーム']);
  for (const u of Object.values(USERS))
    cliOk(db, ['user', 'add', '--login', u.login, '--role', u.role, '--password-stdin',
               ...(u.extra ?? [])], PASSWORD + '\n');
  cliOk(db, ['survey', 'wave', 'add', '--code', WAVE]);
  const link = (center) =>
    JSON.parse(cliOk(db, ['survey', 'link', '--wave', WAVE, '--center', center, '--json'])).token;
  // TKY: the link people answer; OSK: one to exhaust the rate limit on; FUK: closed.
  const tokens = { TKY: link('TKY'), OSK: link('OSK'), FUK: link('FUK') };
  cliOk(db, ['survey', 'link', '--wave', WAVE, '--center', 'FUK', '--close']);
  return { token: tokens.TKY, tokens };
}
