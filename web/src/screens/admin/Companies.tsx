import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useSession } from '../../app/session';
import { Async, ErrorBox, PageTitle, useLoad, useSubmit } from '../../app/ui';

interface Company {
  code: string;
  name: string;
}

export function Companies() {
  const { me } = useSession();
  const list = useLoad(() => api.get<{ companies: Company[] }>('/companies').then((r) => r.companies));
  return (
    <section data-page="admin-companies">
      <PageTitle>{t('admin.companies.title')}</PageTitle>
      {me.role === 'admin' && <AddCompany onDone={list.reload} />}
      <Async value={list} isEmpty={(l) => l.length === 0} empty={t('admin.companies.empty')}>
        {(l) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('common.code')}</th>
                  <th scope="col">{t('common.name')}</th>
                </tr>
              </thead>
              <tbody>
                {l.map((c) => (
                  <tr key={c.code}>
                    <td>{c.code}</td>
                    <td>{c.name}</td>
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

function AddCompany({ onDone }: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const s = useSubmit();
  return (
    <details class="panel">
      <summary>{t('admin.companies.add')}</summary>
      {s.error !== null && <ErrorBox error={s.error} />}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          s.run(async () => {
            await api.post('/companies', { code: code.trim(), name: name.trim() });
            setCode('');
            setName('');
            onDone();
          });
        }}
      >
        <div class="field">
          <label for="co-code">{t('common.code')}</label>
          <input id="co-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="co-name">{t('common.name')}</label>
          <input id="co-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <button type="submit" class="btn btn-primary" disabled={s.busy}>
            {t('common.create')}
          </button>
        </div>
      </form>
    </details>
  );
}
