import { useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import { t } from '../lib/i18n';
import { Notice, PageTitle } from '../app/ui';

export function Password() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (next !== confirm) {
      setMsg({ kind: 'error', text: t('password.mismatch') });
      return;
    }
    setBusy(true);
    setMsg(null);
    try {
      await api.post('/me/password', { current, password: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setMsg({ kind: 'ok', text: t('password.done') });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  const fields: [string, string, string, (v: string) => void, string][] = [
    ['pw-current', t('password.current'), current, setCurrent, 'current-password'],
    ['pw-next', t('password.next'), next, setNext, 'new-password'],
    ['pw-confirm', t('password.confirm'), confirm, setConfirm, 'new-password'],
  ];
  return (
    <section>
      <PageTitle>{t('password.title')}</PageTitle>
      {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
      <form class="form narrow" onSubmit={submit}>
        {fields.map(([id, label, value, set, ac]) => (
          <div class="field" key={id}>
            <label for={id}>{label}</label>
            <input
              id={id}
              type="password"
              autocomplete={ac}
              required
              value={value}
              aria-describedby={id === 'pw-next' ? 'pw-hint' : undefined}
              onInput={(e) => set(e.currentTarget.value)}
            />
            {id === 'pw-next' && (
              <p class="hint" id="pw-hint">
                {t('password.hint')}
              </p>
            )}
          </div>
        ))}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}
