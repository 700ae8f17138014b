// Shared pieces every screen uses: the loading, empty and error states, a data hook with
// reload, form fields with labels, and the one-time secret box.
import { Component, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { errorText } from '../lib/api';
import { t } from '../lib/i18n';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/* Runs load() on mount and whenever deps change; a newer call wins over an older one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => n === seq.current && setState({ data, loading: false }),
      (error) => n === seq.current && setState({ error, loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}

export function Loading() {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children?: ComponentChildren }) {
  return <p class="state state-empty">{children ?? t('common.empty')}</p>;
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <p>{errorText(error)}</p>
      {onRetry && (
        <button type="button" class="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/* The three states, then the content: <Async value={x}>{(data) => …}</Async>. */
export function Async<T>({
  value,
  children,
  isEmpty,
  empty,
}: {
  value: Loaded<T>;
  children: (data: T) => ComponentChildren;
  isEmpty?: (data: T) => boolean;
  empty?: ComponentChildren;
}) {
  if (value.error) return <ErrorBox error={value.error} onRetry={value.reload} />;
  if (value.data === undefined) return <Loading />;
  if (isEmpty?.(value.data)) return <Empty>{empty}</Empty>;
  return <>{children(value.data)}</>;
}

export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: (id: string, describedBy?: string) => ComponentChildren;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id, hintId)}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'ok' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // Focus moves to the new page's title so keyboard and screen-reader users know it changed.
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/* A screen that throws while rendering shows an error in words instead of a blank page. */
export class Boundary extends Component<{ children: ComponentChildren }, { error: unknown }> {
  state = { error: null as unknown };
  componentDidCatch(error: unknown) {
    this.setState({ error });
    console.error(error);
  }
  render() {
    return this.state.error ? <ErrorBox error={this.state.error} /> : this.props.children;
  }
}

/* A secret shown once (a new password, an API key): selectable text and a close button. */
export function SecretBox({
  title,
  body,
  secret,
  onClose,
}: {
  title: string;
  body: string;
  secret: string;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="notice notice-ok secretbox" role="alertdialog" aria-labelledby="secret-title" tabIndex={-1} ref={ref}>
      <h2 id="secret-title">{title}</h2>
      <p>{body}</p>
      <p class="secret" data-testid="secret">
        {secret}
      </p>
      <button type="button" class="btn" onClick={onClose}>
        {t('common.close')}
      </button>
    </div>
  );
}

/* Runs an API call for a form: busy flag, the error in words, success message. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(f: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, clear: () => setError(null) };
}
