// Centers with their headcount by position, and each center's teams.
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { fmtNumber, t } from '../../lib/i18n';
import type { Params } from '../../lib/router';
import type { Center } from '../../lib/types';
import { useSession } from '../../app/session';
import { Async, ErrorBox, Notice, PageTitle, useLoad, useSubmit } from '../../app/ui';

const POSITIONS = ['OP', 'SV', 'MGR', 'OTHER'] as const;
type Pos = (typeof POSITIONS)[number];

export function Centers() {
  const { me } = useSession();
  const list = useLoad(() => api.get<{ centers: Center[] }>('/centers').then((r) => r.centers));
  return (
    <section data-page="admin-centers">
      <PageTitle>{t('admin.centers.title')}</PageTitle>
      {(me.role === 'admin' || me.role === 'consultant') && <AddCenter onDone={list.reload} />}
      <Async value={list} isEmpty={(l) => l.length === 0} empty={t('admin.centers.empty')}>
        {(l) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('common.code')}</th>
                  <th scope="col">{t('common.name')}</th>
                  <th scope="col">{t('admin.centers.company')}</th>
                  {POSITIONS.map((p) => (
                    <th scope="col" class="num" key={p}>
                      {t(`position.${p}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {l.map((c) => (
                  <tr key={c.code}>
                    <td>
                      <a href={`/admin/centers/${encodeURIComponent(c.code)}`}>{c.code}</a>
                    </td>
                    <td>{c.name}</td>
                    <td>{c.company || t('admin.centers.company_none')}</td>
                    {POSITIONS.map((p) => (
                      <td class="num" key={p}>
                        {fmtNumber(c.headcounts[p] ?? 0)}
                      </td>
                    ))}
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

function Headcounts({
  value,
  onChange,
  prefix,
}: {
  value: Record<Pos, string>;
  onChange: (v: Record<Pos, string>) => void;
  prefix: string;
}) {
  return (
    <fieldset class="row fieldset">
      <legend>{t('admin.centers.headcounts')}</legend>
      {POSITIONS.map((p) => (
        <div class="field small" key={p}>
          <label for={`${prefix}-${p}`}>{t(`position.${p}`)}</label>
          <input
            id={`${prefix}-${p}`}
            name={`headcount-${p}`}
            type="number"
            inputMode="numeric"
            min={0}
            max={1000000}
            required={p === 'OP'}
            value={value[p]}
            onInput={(e) => onChange({ ...value, [p]: e.currentTarget.value })}
          />
        </div>
      ))}
    </fieldset>
  );
}

function toCounts(v: Record<Pos, string>): Record<Pos, number> {
  const out = {} as Record<Pos, number>;
  for (const p of POSITIONS) out[p] = Number(v[p] || 0);
  return out;
}

const emptyCounts = (): Record<Pos, string> => ({ OP: '', SV: '', MGR: '', OTHER: '' });

function AddCenter({ onDone }: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [company, setCompany] = useState('');
  const [counts, setCounts] = useState(emptyCounts);
  const companies = useLoad(() =>
    api.get<{ companies: { code: string; name: string }[] }>('/companies').then((r) => r.companies),
  );
  const s = useSubmit();
  return (
    <details class="panel">
      <summary>{t('admin.centers.add')}</summary>
      {s.error !== null && <ErrorBox error={s.error} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          s.run(async () => {
            const body: Record<string, unknown> = {
              code: code.trim(),
              name: name.trim(),
              operators: Number(counts.OP || 0),
              headcounts: toCounts(counts),
            };
            if (company) body.company = company;
            await api.post('/centers', body);
            setCode('');
            setName('');
            setCounts(emptyCounts());
            onDone();
          });
        }}
      >
        <div class="row">
          <div class="field">
            <label for="ce-code">{t('common.code')}</label>
            <input id="ce-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="ce-name">{t('common.name')}</label>
            <input id="ce-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="ce-company">{t('admin.centers.company')}</label>
            <select id="ce-company" value={company} onChange={(e) => setCompany(e.currentTarget.value)}>
              <option value="">{t('admin.centers.company_none')}</option>
              {(companies.data ?? []).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}（{c.code}）
                </option>
              ))}
            </select>
          </div>
        </div>
        <Headcounts value={counts} onChange={setCounts} prefix="ce-hc" />
        <button type="submit" class="btn btn-primary" disabled={s.busy}>
          {t('common.create')}
        </button>
      </form>
    </details>
  );
}

export function CenterDetail({ params }: { params: Params }) {
  const code = params.code;
  const center = useLoad(() => api.get<Center>(`/centers/${encodeURIComponent(code)}`), [code]);
  return (
    <section data-page="admin-center">
      <Async value={center}>
        {(c) => (
          <>
            <PageTitle>{t('admin.centers.edit', { name: c.name })}</PageTitle>
            <EditCenter center={c} onDone={center.reload} />
            <Teams code={c.code} />
          </>
        )}
      </Async>
      <p>
        <a href="/admin/centers">{t('common.back')}</a>
      </p>
    </section>
  );
}

function EditCenter({ center, onDone }: { center: Center; onDone: () => void }) {
  const { me } = useSession();
  const canEdit = me.role !== 'supervisor';
  const [name, setName] = useState(center.name);
  const [counts, setCounts] = useState<Record<Pos, string>>(() => {
    const v = emptyCounts();
    for (const p of POSITIONS) v[p] = String(center.headcounts[p] ?? 0);
    return v;
  });
  const [saved, setSaved] = useState(false);
  const s = useSubmit();
  const total = Object.values(toCounts(counts)).reduce((a, b) => a + b, 0);
  return (
    <form
      class="panel"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        s.run(async () => {
          await api.patch(`/centers/${encodeURIComponent(center.code)}`, {
            name: name.trim(),
            headcounts: toCounts(counts),
          });
          setSaved(true);
          onDone();
        });
      }}
    >
      {s.error !== null && <ErrorBox error={s.error} />}
      {saved && <Notice kind="ok">{t('common.saved')}</Notice>}
      <div class="field">
        <label for="cd-name">{t('common.name')}</label>
        <input id="cd-name" required disabled={!canEdit} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <Headcounts value={counts} onChange={setCounts} prefix="cd-hc" />
      <p>
        {t('admin.centers.total')}: {fmtNumber(total)}
      </p>
      {canEdit && (
        <button type="submit" class="btn btn-primary" disabled={s.busy}>
          {t('common.save')}
        </button>
      )}
    </form>
  );
}

function Teams({ code }: { code: string }) {
  const { me } = useSession();
  const teams = useLoad(
    () => api.get<{ teams: { code: string; name: string }[] }>(`/centers/${encodeURIComponent(code)}/teams`).then((r) => r.teams),
    [code],
  );
  const [tc, setTc] = useState('');
  const [tn, setTn] = useState('');
  const s = useSubmit();
  return (
    <section class="panel" aria-labelledby="teams-h">
      <h2 id="teams-h">{t('admin.teams.title')}</h2>
      <Async value={teams} isEmpty={(l) => l.length === 0} empty={t('admin.teams.empty')}>
        {(l) => (
          <ul class="links">
            {l.map((x) => (
              <li key={x.code}>
                {x.name}（{x.code}）
              </li>
            ))}
          </ul>
        )}
      </Async>
      {me.role !== 'supervisor' && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            s.run(async () => {
              await api.post(`/centers/${encodeURIComponent(code)}/teams`, { code: tc.trim(), name: tn.trim() });
              setTc('');
              setTn('');
              teams.reload();
            });
          }}
        >
          {s.error !== null && <ErrorBox error={s.error} />}
          <div class="field">
            <label for="tm-code">{t('common.code')}</label>
            <input id="tm-code" required value={tc} onInput={(e) => setTc(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="tm-name">{t('common.name')}</label>
            <input id="tm-name" required value={tn} onInput={(e) => setTn(e.currentTarget.value)} />
          </div>
          <div class="field">
            <button type="submit" class="btn btn-primary" disabled={s.busy}>
              {t('admin.teams.add')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
