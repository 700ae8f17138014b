// The app shell: asks who is signed in, shows sign-in or the menu and the current screen.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, setCsrf, setUnauthenticatedHandler } from '../lib/api';
import { lang, onLangChange, setLang, t, type Lang } from '../lib/i18n';
import { matchPath, navigate, useLocation } from '../lib/router';
import { SignIn } from '../screens/SignIn';
import { Forbidden, NotFound } from '../screens/Status';
import { routes } from './routes';
import { SessionContext, roleLabelKey, type Me, type Session } from './session';
import { Boundary, ErrorBox, Loading } from './ui';

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [, rerender] = useState(0);
  const loc = useLocation();

  useEffect(() => onLangChange(() => rerender((n) => n + 1)), []);

  const loadMe = useCallback(async () => {
    setLoadError(null);
    try {
      const m = await api.get<Me>('/me');
      setCsrf(m.csrf_token);
      setMe(m);
    } catch (e: any) {
      if (e?.status === 401) setMe(null);
      else setLoadError(e);
    }
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => setMe(null));
    loadMe();
    return () => setUnauthenticatedHandler(null);
  }, [loadMe]);

  if (loadError) return <ErrorBox error={loadError} onRetry={loadMe} />;
  if (me === undefined) return <Loading />;
  if (me === null)
    return (
      <SignIn
        onSignedIn={(m) => {
          setCsrf(m.csrf_token);
          setMe(m);
          navigate('/', true);
        }}
      />
    );

  const session: Session = {
    me,
    refresh: loadMe,
    signOut: async () => {
      try {
        await api.del('/session');
      } finally {
        setCsrf('');
        setMe(null);
        navigate('/', true);
      }
    },
  };

  let view = <NotFound />;
  for (const r of routes) {
    const params = matchPath(r.path, loc.path);
    if (!params) continue;
    view = r.roles.includes(me.role) ? <r.view params={params} /> : <Forbidden />;
    break;
  }

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href="/">
          {t('app.name')}
        </a>
        <p class="who">
          {t('app.signed_in_as', {
            name: me.display_name || me.login,
            role: t(roleLabelKey(me.role)),
          })}
        </p>
        <LangSwitch />
      </header>
      <nav class="menu" aria-label={t('app.menu')}>
        <ul>
          {routes
            .filter((r) => r.menu && r.roles.includes(me.role))
            .map((r) => (
              <li key={r.path}>
                <a href={r.path} aria-current={isCurrent(r.path, loc.path) ? 'page' : undefined}>
                  {t(r.menu!)}
                </a>
              </li>
            ))}
          <li>
            <button type="button" class="linklike" onClick={session.signOut}>
              {t('menu.signout')}
            </button>
          </li>
        </ul>
      </nav>
      <main id="main" class="page">
        <Boundary key={loc.path}>{view}</Boundary>
      </main>
    </SessionContext.Provider>
  );
}

function isCurrent(menuPath: string, path: string): boolean {
  return menuPath === '/' ? path === '/' : path === menuPath || path.startsWith(menuPath + '/');
}

export function LangSwitch() {
  const id = 'lang-switch';
  return (
    <div class="lang">
      <label for={id}>{t('app.lang')}</label>
      <select
        id={id}
        value={lang()}
        onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}
      >
        <option value="ja">{t('app.lang.ja')}</option>
        <option value="en">{t('app.lang.en')}</option>
      </select>
    </div>
  );
}
