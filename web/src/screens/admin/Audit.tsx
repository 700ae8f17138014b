// The audit log, newest first, with filters on who, what and the target or detail text. The
// server gives the newest entries (up to 1000); the filters narrow what was loaded.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { fmtDateTime, t } from '../../lib/i18n';
import { Async, PageTitle, useLoad } from '../../app/ui';

interface Entry {
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
  address: string;
}

const LIMITS = [100, 300, 1000];

export function Audit() {
  const [limit, setLimit] = useState(300);
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [text, setText] = useState('');
  const log = useLoad(() => api.get<{ entries: Entry[] }>(`/audit?limit=${limit}`).then((r) => r.entries), [limit]);
  const all = log.data ?? [];
  const actors = useMemo(() => [...new Set(all.map((e) => e.actor))].sort(), [all]);
  const actions = useMemo(() => [...new Set(all.map((e) => e.action))].sort(), [all]);
  const shown = all.filter(
    (e) =>
      (!actor || e.actor === actor) &&
      (!action || e.action === action) &&
      (!text || e.target.includes(text) || e.detail.includes(text)),
  );
  return (
    <section data-page="admin-audit">
      <PageTitle>{t('admin.audit.title')}</PageTitle>
      <form class="panel row" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="au-limit">{t('admin.audit.limit')}</label>
          <select id="au-limit" value={String(limit)} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
            {LIMITS.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="au-actor">{t('admin.audit.actor')}</label>
          <select id="au-actor" value={actor} onChange={(e) => setActor(e.currentTarget.value)}>
            <option value="">{t('common.all')}</option>
            {actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="au-action">{t('admin.audit.action')}</label>
          <select id="au-action" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            <option value="">{t('common.all')}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="au-text">{t('admin.audit.text')}</label>
          <input id="au-text" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
      </form>
      <Async value={log}>
        {() => (
          <>
            <p role="status">{t('admin.audit.shown', { n: all.length, m: shown.length })}</p>
            {shown.length === 0 ? (
              <p class="state state-empty">{t('admin.audit.empty')}</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.audit.at')}</th>
                      <th scope="col">{t('admin.audit.actor')}</th>
                      <th scope="col">{t('admin.audit.action')}</th>
                      <th scope="col">{t('admin.audit.target')}</th>
                      <th scope="col">{t('admin.audit.detail')}</th>
                      <th scope="col">{t('admin.audit.address')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((e, i) => (
                      <tr key={i}>
                        <td>
                          <time dateTime={e.at}>{fmtDateTime(Date.parse(e.at) / 1000)}</time>
                        </td>
                        <td>{e.actor}</td>
                        <td>{e.action}</td>
                        <td>{e.target}</td>
                        <td class="wrap">{e.detail}</td>
                        <td>{e.address}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Async>
    </section>
  );
}
