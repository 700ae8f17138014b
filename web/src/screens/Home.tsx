// Each role's home. Admins and consultants: their client centers and the current waves with
// response rates. Center managers: their center's response rate now. Supervisors and
// operators: whether their center's survey is open.
import { api } from '../lib/api';
import { fmtDateTime, fmtNumber, fmtPercent, t } from '../lib/i18n';
import type { Center, Responses, Wave } from '../lib/types';
import { useSession } from '../app/session';
import { Async, PageTitle, useLoad } from '../app/ui';

export function Home() {
  const { me } = useSession();
  return (
    <section data-page={`home-${me.role}`}>
      <PageTitle>{t('home.title')}</PageTitle>
      {me.role === 'admin' || me.role === 'consultant' ? (
        <>
          <WavesPanel />
          <CentersPanel />
        </>
      ) : me.role === 'center_manager' ? (
        <ManagerPanel />
      ) : (
        <SurveyStatePanel />
      )}
    </section>
  );
}

function useWaves() {
  return useLoad(() => api.get<{ waves: Wave[] }>('/surveys').then((r) => r.waves));
}

function CentersPanel() {
  const centers = useLoad(() => api.get<{ centers: Center[] }>('/centers').then((r) => r.centers));
  return (
    <section class="panel" aria-labelledby="home-centers">
      <h2 id="home-centers">{t('home.centers')}</h2>
      <Async value={centers} isEmpty={(c) => c.length === 0} empty={t('home.no_centers')}>
        {(list) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('common.code')}</th>
                  <th scope="col">{t('common.name')}</th>
                  <th scope="col" class="num">
                    {t('home.operators')}
                  </th>
                  <th scope="col" class="num">
                    {t('home.staff')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => (
                  <tr key={c.code}>
                    <td>{c.code}</td>
                    <td>{c.name}</td>
                    <td class="num">{fmtNumber(c.operators)}</td>
                    <td class="num">{fmtNumber(c.staff)}</td>
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

function WavesPanel() {
  const waves = useWaves();
  return (
    <section class="panel" aria-labelledby="home-waves">
      <h2 id="home-waves">{t('home.waves')}</h2>
      <Async value={waves} isEmpty={(w) => w.length === 0} empty={t('home.no_wave')}>
        {(list) => <WaveRates wave={list[0]} />}
      </Async>
    </section>
  );
}

function WaveRates({ wave }: { wave: Wave }) {
  const res = useLoad(
    () => api.get<Responses>(`/surveys/${encodeURIComponent(wave.code)}/responses`),
    [wave.code],
  );
  return (
    <>
      <p>
        <strong>{wave.code}</strong>{' '}
        <span class="muted">
          {t('home.wave_created', { date: fmtDateTime(wave.created_at) })}
        </span>
      </p>
      <Async value={res} isEmpty={(r) => r.centers.length === 0} empty={t('home.no_answers')}>
        {(r) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('home.center')}</th>
                  <th scope="col" class="num">
                    {t('home.respondents')}
                  </th>
                  <th scope="col" class="num">
                    {t('home.rate')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.centers.map((c) => (
                  <tr key={c.center}>
                    <td>{c.center}</td>
                    <td class="num">{fmtNumber(c.respondents)}</td>
                    <td class="num">{fmtPercent(c.operator_response_rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </>
  );
}

function ManagerPanel() {
  const { me } = useSession();
  const waves = useWaves();
  return (
    <>
      <section class="panel" aria-labelledby="home-rate">
        <h2 id="home-rate">{t('home.rate_now')}</h2>
        <Async value={waves} isEmpty={(w) => w.length === 0} empty={t('home.no_wave')}>
          {(list) => <CenterRate wave={list[0].code} center={me.center ?? ''} />}
        </Async>
      </section>
      <section class="panel" aria-labelledby="home-links">
        <h2 id="home-links">{t('home.links')}</h2>
        <ul class="links">
          <li>
            <a href="/admin/users">{t('menu.users')}</a>
          </li>
          <li>
            <a href="/password">{t('menu.password')}</a>
          </li>
        </ul>
      </section>
    </>
  );
}

function CenterRate({ wave, center }: { wave: string; center: string }) {
  // A center without answers yet is not in the counts: its enrolled headcount comes from the
  // center itself, so the page says 0 of N rather than nothing.
  const res = useLoad(
    () =>
      Promise.all([
        api.get<Responses>(`/surveys/${encodeURIComponent(wave)}/responses`),
        api.get<Center>(`/centers/${encodeURIComponent(center)}`),
      ]),
    [wave, center],
  );
  return (
    <Async value={res}>
      {([r, c]) => {
        const count = r.centers.find((x) => x.center === center);
        const ops = count?.by_position.OP ?? 0;
        const enrolled = c.headcounts.OP ?? 0;
        return (
          <div class="bigstat" data-testid="response-rate">
            <p class="muted">
              {wave} · {c.name}
            </p>
            <p class="big">{fmtPercent(enrolled > 0 ? ops / enrolled : null)}</p>
            <p>{t('home.rate_of', { n: fmtNumber(ops), total: fmtNumber(enrolled) })}</p>
            <p>
              {t('home.respondents')}:{' '}
              <span data-testid="respondents">{fmtNumber(count?.respondents ?? 0)}</span>
            </p>
            <button type="button" class="btn" onClick={res.reload}>
              {t('home.refresh')}
            </button>
          </div>
        );
      }}
    </Async>
  );
}

function SurveyStatePanel() {
  const { me } = useSession();
  const waves = useWaves();
  return (
    <section class="panel" aria-labelledby="home-survey">
      <h2 id="home-survey">{t('home.survey_state')}</h2>
      <Async value={waves}>
        {(list) => {
          const open = list.find((w) => me.center && w.open_centers.includes(me.center));
          return <p>{open ? t('home.survey_open', { wave: open.code }) : t('home.survey_none')}</p>;
        }}
      </Async>
    </section>
  );
}
