// API keys for phone systems and speech recognisers: the key is shown once, at creation.
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { fmtDateTime, t } from '../../lib/i18n';
import { Async, ErrorBox, Notice, PageTitle, SecretBox, useLoad, useSubmit } from '../../app/ui';

const SCOPES = ['calls', 'media', 'survey', 'read'] as const;

interface ApiKey {
  name: string;
  prefix: string;
  scopes: string[];
  created_at: number;
  revoked: boolean;
}

export function ApiKeys() {
  const list = useLoad(() => api.get<{ apikeys: ApiKey[] }>('/apikeys').then((r) => r.apikeys));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [key, setKey] = useState('');
  const [hint, setHint] = useState('');
  const s = useSubmit();
  return (
    <section data-page="admin-apikeys">
      <PageTitle>{t('admin.apikeys.title')}</PageTitle>
      {key && (
        <SecretBox title={t('admin.apikeys.key_title')} body={t('admin.apikeys.key_body')} secret={key} onClose={() => setKey('')} />
      )}
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          setHint('');
          if (scopes.length === 0) {
            setHint(t('admin.apikeys.need_scope'));
            return;
          }
          s.run(async () => {
            const r = await api.post<ApiKey & { key: string }>('/apikeys', { name: name.trim(), scopes });
            setKey(r.key);
            setName('');
            setScopes([]);
            list.reload();
          });
        }}
      >
        <h2>{t('admin.apikeys.add')}</h2>
        {s.error !== null && <ErrorBox error={s.error} />}
        {hint && <Notice kind="error">{hint}</Notice>}
        <div class="field">
          <label for="ak-name">{t('admin.apikeys.name')}</label>
          <input id="ak-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <fieldset class="fieldset">
          <legend>{t('admin.apikeys.scopes')}</legend>
          {SCOPES.map((sc) => (
            <label class="check" key={sc}>
              <input
                type="checkbox"
                name="scope"
                value={sc}
                checked={scopes.includes(sc)}
                onChange={(e) =>
                  setScopes(e.currentTarget.checked ? [...scopes, sc] : scopes.filter((x) => x !== sc))
                }
              />{' '}
              {t(`admin.apikeys.scope.${sc}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn btn-primary" disabled={s.busy}>
          {t('common.create')}
        </button>
      </form>
      <Async value={list} isEmpty={(l) => l.length === 0} empty={t('admin.apikeys.empty')}>
        {(l) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('common.name')}</th>
                  <th scope="col">{t('admin.apikeys.prefix')}</th>
                  <th scope="col">{t('admin.apikeys.scopes')}</th>
                  <th scope="col">{t('admin.apikeys.created_at')}</th>
                  <th scope="col">{t('admin.users.state')}</th>
                </tr>
              </thead>
              <tbody>
                {l.map((k) => (
                  <tr key={k.name + k.prefix}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{fmtDateTime(k.created_at)}</td>
                    <td>{k.revoked ? t('admin.apikeys.revoked') : t('admin.users.active')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}
