// Sign-in. Stable names for automation: inputs labelled ログインID and パスワード, button ログイン.
import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import { t } from '../lib/i18n';
import type { Me } from '../app/session';
import { LangSwitch } from '../app/App';
import { Notice } from '../app/ui';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.post<Me>('/session', { login: login.trim(), password });
      onSignedIn(me);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <main id="main" class="signin">
      <div class="signin-card">
        <p class="brand-big">{t('app.name')}</p>
        <h1>{t('signin.title')}</h1>
        <p class="lead">{t('signin.lead')}</p>
        {error !== null && <Notice kind="error">{errorText(error)}</Notice>}
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label for="signin-login">{t('signin.login')}</label>
            <input
              id="signin-login"
              name="login"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              value={login}
              onInput={(e) => setLogin(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="signin-password">{t('signin.password')}</label>
            <input
              id="signin-password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
            {busy ? t('signin.busy') : t('signin.submit')}
          </button>
        </form>
        <LangSwitch />
      </div>
    </main>
  );
}
