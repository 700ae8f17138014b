// Users with roles: create (a one-time password shown once), edit, disable, new password.
// Who may place whom is decided by the server; the role list here only follows it (a center
// manager creates supervisors and operators of their center).
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Params } from '../../lib/router';
import { newPassword } from '../../lib/secret';
import type { Center } from '../../lib/types';
import { roleLabelKey, useSession, type Role } from '../../app/session';
import { Async, ErrorBox, Notice, PageTitle, SecretBox, useLoad, useSubmit } from '../../app/ui';

export interface User {
  login: string;
  role: Role;
  display_name: string;
  disabled: boolean;
  center: string | null;
  team: string | null;
  business_name: string | null;
}

function creatableRoles(me: Role): Role[] {
  if (me === 'admin') return ['admin', 'consultant', 'center_manager', 'supervisor', 'operator'];
  if (me === 'consultant') return ['center_manager', 'supervisor', 'operator'];
  if (me === 'center_manager') return ['supervisor', 'operator'];
  return [];
}

export function Users() {
  const { me } = useSession();
  const users = useLoad(() => api.get<{ users: User[] }>('/users').then((r) => r.users));
  const roles = creatableRoles(me.role);
  return (
    <section data-page="admin-users">
      <PageTitle>{t('admin.users.title')}</PageTitle>
      {roles.length > 0 ? <AddUser roles={roles} onDone={users.reload} /> : <p>{t('admin.users.read_only')}</p>}
      <Async value={users} isEmpty={(l) => l.length === 0} empty={t('admin.users.empty')}>
        {(l) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('admin.users.login')}</th>
                  <th scope="col">{t('admin.users.display_name')}</th>
                  <th scope="col">{t('admin.users.role')}</th>
                  <th scope="col">{t('admin.users.center')}</th>
                  <th scope="col">{t('admin.users.team')}</th>
                  <th scope="col">{t('admin.users.state')}</th>
                </tr>
              </thead>
              <tbody>
                {l.map((u) => (
                  <tr key={u.login}>
                    <td>
                      {roles.length > 0 ? (
                        <a href={`/admin/users/${encodeURIComponent(u.login)}`}>{u.login}</a>
                      ) : (
                        u.login
                      )}
                    </td>
                    <td>{u.display_name}</td>
                    <td>{t(roleLabelKey(u.role))}</td>
                    <td>{u.center ?? t('common.none')}</td>
                    <td>{u.team ?? t('common.none')}</td>
                    <td>
                      <span class={u.disabled ? 'badge badge-off' : 'badge'}>
                        {u.disabled ? t('admin.users.disabled') : t('admin.users.active')}
                      </span>
                    </td>
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

function useCenters() {
  return useLoad(() => api.get<{ centers: Center[] }>('/centers').then((r) => r.centers));
}

function useTeams(center: string) {
  return useLoad(
    () =>
      center
        ? api
            .get<{ teams: { code: string; name: string }[] }>(`/centers/${encodeURIComponent(center)}/teams`)
            .then((r) => r.teams)
        : Promise.resolve([]),
    [center],
  );
}

function AddUser({ roles, onDone }: { roles: Role[]; onDone: () => void }) {
  const { me } = useSession();
  const [login, setLogin] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roles[roles.length - 1]);
  const [center, setCenter] = useState(me.center ?? '');
  const [team, setTeam] = useState('');
  const [companies, setCompanies] = useState('');
  const [secret, setSecret] = useState<{ login: string; password: string } | null>(null);
  const centers = useCenters();
  const teams = useTeams(center);
  const s = useSubmit();
  const needsCenter = role !== 'admin' && role !== 'consultant';
  return (
    <details class="panel" open={secret !== null}>
      <summary>{t('admin.users.add')}</summary>
      {secret && (
        <SecretBox
          title={t('admin.users.otp_title')}
          body={`${t('admin.users.created', { login: secret.login })} ${t('admin.users.otp_body', { login: secret.login })}`}
          secret={secret.password}
          onClose={() => setSecret(null)}
        />
      )}
      {s.error !== null && <ErrorBox error={s.error} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          s.run(async () => {
            const password = newPassword();
            const body: Record<string, unknown> = { login: login.trim(), role, password };
            if (name.trim()) body.display_name = name.trim();
            if (needsCenter) body.center = center;
            if (needsCenter && team) body.team = team;
            if (role === 'consultant' && companies.trim())
              body.companies = companies.split(/[,\s、]+/).filter(Boolean);
            await api.post('/users', body);
            setSecret({ login: login.trim(), password });
            setLogin('');
            setName('');
            onDone();
          });
        }}
      >
        <div class="row">
          <div class="field">
            <label for="us-login">{t('admin.users.login')}</label>
            <input id="us-login" required autocomplete="off" value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="us-name">{t('admin.users.display_name')}</label>
            <input id="us-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="us-role">{t('admin.users.role')}</label>
            <select id="us-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(roleLabelKey(r))}
                </option>
              ))}
            </select>
          </div>
        </div>
        {needsCenter && (
          <div class="row">
            <div class="field">
              <label for="us-center">{t('admin.users.center')}</label>
              <select
                id="us-center"
                required
                value={center}
                onChange={(e) => {
                  setCenter(e.currentTarget.value);
                  setTeam('');
                }}
              >
                <option value="">{t('common.none')}</option>
                {(centers.data ?? []).map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}（{c.code}）
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="us-team">{t('admin.users.team')}</label>
              <select id="us-team" value={team} onChange={(e) => setTeam(e.currentTarget.value)}>
                <option value="">{t('admin.users.team_none')}</option>
                {(teams.data ?? []).map((x) => (
                  <option key={x.code} value={x.code}>
                    {x.name}（{x.code}）
                  </option>
                ))}
              </select>
            </div>
          </div>
        )}
        {role === 'consultant' && me.role === 'admin' && (
          <div class="field">
            <label for="us-companies">{t('admin.users.companies')}</label>
            <input id="us-companies" value={companies} onInput={(e) => setCompanies(e.currentTarget.value)} />
          </div>
        )}
        <button type="submit" class="btn btn-primary" disabled={s.busy}>
          {t('common.create')}
        </button>
      </form>
    </details>
  );
}

export function UserDetail({ params }: { params: Params }) {
  const login = params.login;
  const user = useLoad(() => api.get<User>(`/users/${encodeURIComponent(login)}`), [login]);
  return (
    <section data-page="admin-user">
      <PageTitle>{t('admin.users.edit', { login })}</PageTitle>
      <Async value={user}>{(u) => <EditUser user={u} onDone={user.reload} />}</Async>
      <p>
        <a href="/admin/users">{t('common.back')}</a>
      </p>
    </section>
  );
}

function EditUser({ user, onDone }: { user: User; onDone: () => void }) {
  const { me } = useSession();
  const self = me.login === user.login;
  const roles = creatableRoles(me.role);
  const [name, setName] = useState(user.display_name);
  const [business, setBusiness] = useState(user.business_name ?? '');
  const [role, setRole] = useState<Role>(user.role);
  const [team, setTeam] = useState(user.team ?? '');
  const [saved, setSaved] = useState('');
  const [secret, setSecret] = useState('');
  const teams = useTeams(user.center ?? '');
  const s = useSubmit();

  function save(body: Record<string, unknown>, message: string) {
    setSaved('');
    return s.run(async () => {
      await api.patch(`/users/${encodeURIComponent(user.login)}`, body);
      setSaved(message);
      onDone();
    });
  }

  return (
    <>
      {secret && (
        <SecretBox
          title={t('admin.users.otp_title')}
          body={t('admin.users.otp_body', { login: user.login })}
          secret={secret}
          onClose={() => setSecret('')}
        />
      )}
      {s.error !== null && <ErrorBox error={s.error} />}
      {saved && <Notice kind="ok">{saved}</Notice>}
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          const body: Record<string, unknown> = { display_name: name.trim(), business_name: business.trim() };
          if (!self && role !== user.role) body.role = role;
          if (user.center && team !== (user.team ?? '') && team) body.team = team;
          save(body, t('common.saved'));
        }}
      >
        <div class="row">
          <div class="field">
            <label for="ue-name">{t('admin.users.display_name')}</label>
            <input id="ue-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="ue-business">{t('admin.users.business_name')}</label>
            <input id="ue-business" value={business} onInput={(e) => setBusiness(e.currentTarget.value)} />
          </div>
        </div>
        <div class="row">
          <div class="field">
            <label for="ue-role">{t('admin.users.role')}</label>
            <select id="ue-role" value={role} disabled={self} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {(roles.includes(user.role) ? roles : [user.role, ...roles]).map((r) => (
                <option key={r} value={r}>
                  {t(roleLabelKey(r))}
                </option>
              ))}
            </select>
          </div>
          {user.center && (
            <div class="field">
              <label for="ue-team">{t('admin.users.team')}</label>
              <select id="ue-team" value={team} onChange={(e) => setTeam(e.currentTarget.value)}>
                <option value="">{t('admin.users.team_none')}</option>
                {(teams.data ?? []).map((x) => (
                  <option key={x.code} value={x.code}>
                    {x.name}（{x.code}）
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        <p>
          {t('admin.users.center')}: {user.center ?? t('common.none')} · {t('admin.users.state')}:{' '}
          {user.disabled ? t('admin.users.disabled') : t('admin.users.active')}
        </p>
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={s.busy}>
            {t('common.save')}
          </button>
          {!self && (
            <button
              type="button"
              class={user.disabled ? 'btn' : 'btn btn-danger'}
              disabled={s.busy}
              onClick={() =>
                save(
                  { disabled: !user.disabled },
                  user.disabled ? t('admin.users.active') : t('admin.users.disabled'),
                )
              }
            >
              {user.disabled ? t('admin.users.enable') : t('admin.users.disable')}
            </button>
          )}
          {!self && (
            <button
              type="button"
              class="btn"
              disabled={s.busy}
              onClick={() => {
                if (!confirm(t('admin.users.reset_confirm', { login: user.login }))) return;
                const password = newPassword();
                setSaved('');
                s.run(async () => {
                  await api.patch(`/users/${encodeURIComponent(user.login)}`, { password });
                  setSecret(password);
                });
              }}
            >
              {t('admin.users.reset')}
            </button>
          )}
        </div>
      </form>
    </>
  );
}
