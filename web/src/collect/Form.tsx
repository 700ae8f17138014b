// The anonymous answer form at /a/TOKEN: one page per part (about you, each element, overall,
// happiness, comment), answers kept in localStorage until sent, no cookie (every request is
// made with credentials "omit") and nothing fetched from anywhere but this server.
// Stable names for automation: radio groups named by item ID (G01 …) with values 1–6; selects
// named position, segment, team, tenure; buttons 次へ and 送信; the thank-you page says
// ありがとうございました.
import { useEffect, useRef, useState } from 'preact/hooks';
import { clearDraft, loadDraft, saveDraft } from './draft';
import { t } from './messages';
import type { CollectDoc, Draft, Group } from './types';

type Phase =
  | { kind: 'loading' }
  | { kind: 'form'; doc: CollectDoc }
  | { kind: 'thanks' }
  | { kind: 'closed' }
  | { kind: 'notfound' }
  | { kind: 'error'; text: string };

const token = decodeURIComponent(location.pathname.replace(/^\/a\//, '').split('/')[0] ?? '');
const apiPath = `/api/v1/collect/${encodeURIComponent(token)}`;

function failureText(status: number, detail: string): string {
  if (status === 429) return t('rateLimited');
  if (status === 400) return t('badRequest', { detail });
  if (status >= 500) return t('server');
  return t('network');
}

export function Form() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  async function load() {
    setPhase({ kind: 'loading' });
    try {
      const res = await fetch(apiPath, { credentials: 'omit', headers: { Accept: 'application/json' } });
      if (res.status === 404) return setPhase({ kind: 'notfound' });
      if (res.status === 410) return setPhase({ kind: 'closed' });
      if (!res.ok) return setPhase({ kind: 'error', text: failureText(res.status, '') });
      setPhase({ kind: 'form', doc: await res.json() });
    } catch {
      setPhase({ kind: 'error', text: t('network') });
    }
  }

  useEffect(() => {
    if (!token) setPhase({ kind: 'notfound' });
    else load();
  }, []);

  switch (phase.kind) {
    case 'loading':
      return (
        <Shell>
          <p role="status">{t('loading')}</p>
        </Shell>
      );
    case 'thanks':
      return (
        <Shell>
          <Message title={t('thanksTitle')} body={t('thanksBody')} page="thanks" />
        </Shell>
      );
    case 'closed':
      return (
        <Shell>
          <Message title={t('closedTitle')} body={t('closedBody')} page="closed" />
        </Shell>
      );
    case 'notfound':
      return (
        <Shell>
          <Message title={t('notFoundTitle')} body={t('notFoundBody')} page="notfound" />
        </Shell>
      );
    case 'error':
      return (
        <Shell>
          <div class="alert" role="alert">
            <p>{phase.text}</p>
            <button type="button" class="btn" onClick={load}>
              {t('retry')}
            </button>
          </div>
        </Shell>
      );
    case 'form':
      return (
        <Shell center={phase.doc.center.name}>
          <Pages
            doc={phase.doc}
            onSent={() => setPhase({ kind: 'thanks' })}
            onClosed={() => setPhase({ kind: 'closed' })}
          />
        </Shell>
      );
  }
}

function Shell({ center, children }: { center?: string; children: preact.ComponentChildren }) {
  return (
    <>
      <header class="head">
        <p class="head-title">{t('title')}</p>
        {center && <p class="head-center">{t('center', { name: center })}</p>}
      </header>
      <main id="main" class="wrap">
        <p class="promise-short">{t('promiseShort')}</p>
        {children}
      </main>
    </>
  );
}

function Message({ title, body, page }: { title: string; body: string; page: string }) {
  const ref = useFocus();
  return (
    <section data-page={page}>
      <h1 tabIndex={-1} ref={ref}>
        {title}
      </h1>
      <p>{body}</p>
    </section>
  );
}

function useFocus(dep?: unknown) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [dep]);
  return ref;
}

function groupsOf(doc: CollectDoc): Group[] {
  const q = doc.questionnaire;
  return [...q.elements, ...(q.overall ? [q.overall] : []), ...(q.happiness ? [q.happiness] : [])];
}

function Pages({
  doc,
  onSent,
  onClosed,
}: {
  doc: CollectDoc;
  onSent: () => void;
  onClosed: () => void;
}) {
  const groups = groupsOf(doc);
  // Steps: 0 intro, 1 about you, 2 … 1+groups element pages, then the comment.
  const last = groups.length + 2;
  const [draft, setDraft] = useState<Draft>(() => {
    const d = loadDraft(token);
    d.step = Math.min(d.step, last);
    return d;
  });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const headRef = useFocus(draft.step);

  function update(patch: Partial<Draft>) {
    setError('');
    const next = { ...draft, ...patch };
    setDraft(next);
    saveDraft(token, next);
  }

  function go(step: number) {
    setError('');
    update({ step });
    window.scrollTo(0, 0);
  }

  function next(e: Event) {
    e.preventDefault();
    const s = draft.step;
    if (s === 1 && !draft.position) {
      setError(t('needPosition'));
      (document.querySelector('select[name=position]') as HTMLElement | null)?.focus();
      return;
    }
    if (s >= 2 && s < last) {
      const missing = groups[s - 2].items.filter((it) => !draft.answers[it.id]);
      if (missing.length) {
        setError(t('unanswered', { n: missing.length }));
        (document.querySelector(`input[name="${missing[0].id}"]`) as HTMLElement | null)?.focus();
        return;
      }
    }
    if (s < last) return go(s + 1);
    send();
  }

  async function send() {
    if ([...draft.comment].length > doc.comment_max_chars) {
      setError(t('commentTooLong', { max: doc.comment_max_chars }));
      return;
    }
    setBusy(true);
    setError('');
    const body: Record<string, unknown> = { position: draft.position, answers: draft.answers };
    for (const f of ['segment', 'team', 'tenure'] as const) if (draft[f]) body[f] = draft[f];
    if (draft.comment.trim()) body.comment = draft.comment;
    try {
      const res = await fetch(apiPath, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status === 201) {
        clearDraft(token);
        onSent();
        return;
      }
      if (res.status === 410) {
        onClosed();
        return;
      }
      let detail = '';
      try {
        detail = (await res.json())?.error?.message ?? '';
      } catch {
        /* not JSON */
      }
      setError(failureText(res.status, detail));
    } catch {
      setError(t('network'));
    }
    setBusy(false);
  }

  const s = draft.step;
  const q = doc.questionnaire;
  return (
    <form onSubmit={next} noValidate>
      {s > 0 && (
        <div class="progress">
          <label for="progress">{t('page', { n: s, total: last })}</label>
          <progress id="progress" max={last} value={s} aria-label={t('progress')} />
        </div>
      )}
      {s === 0 && (
        <section data-page="intro">
          <h1 tabIndex={-1} ref={headRef}>
            {q.title ?? t('title')}
          </h1>
          <div class="promise">
            <h2>{t('promiseTitle')}</h2>
            <p>{t('promise')}</p>
            <p>{t('storage')}</p>
          </div>
          {q.guidance && <p>{q.guidance}</p>}
        </section>
      )}
      {s === 1 && (
        <section data-page="attrs">
          <h1 tabIndex={-1} ref={headRef}>
            {t('attrsTitle')}
          </h1>
          <p class="lead">{t('attrsLead')}</p>
          <Choice
            name="position"
            label={`${q.attributes?.position?.label ?? t('positionLabel')}${t('required')}`}
            value={draft.position}
            options={doc.positions.map((p) => [p.code, p.label])}
            placeholder={t('notChosen')}
            onChange={(v) => update({ position: v })}
          />
          {(['segment', 'team', 'tenure'] as const).map((f) => {
            const a = q.attributes?.[f];
            const choices = f === 'team' ? doc.teams ?? [] : a?.choices ?? [];
            if (!a?.label || choices.length === 0) return null;
            return (
              <Choice
                key={f}
                name={f}
                label={a.label}
                value={draft[f]}
                options={choices.map((c) => [c, c])}
                placeholder={t('skipChoice')}
                onChange={(v) => update({ [f]: v })}
              />
            );
          })}
        </section>
      )}
      {s >= 2 && s < last && (
        <GroupPage
          group={groups[s - 2]}
          labels={q.scale.labels}
          answers={draft.answers}
          headRef={headRef}
          onAnswer={(id, v) => update({ answers: { ...draft.answers, [id]: v } })}
        />
      )}
      {s === last && (
        <section data-page="comment">
          <h1 tabIndex={-1} ref={headRef}>
            {t('commentTitle')}
          </h1>
          <label for="comment" class="qtext">
            {q.comment?.text ?? t('commentTitle')}
          </label>
          <textarea
            id="comment"
            name="comment"
            rows={6}
            value={draft.comment}
            aria-describedby="comment-hint"
            onInput={(e) => update({ comment: e.currentTarget.value })}
          />
          <p class="hint" id="comment-hint">
            {t('commentHint', { max: doc.comment_max_chars })}{' '}
            {t('commentCount', { n: [...draft.comment].length, max: doc.comment_max_chars })}
          </p>
        </section>
      )}
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      <div class="nav">
        {s > 0 && (
          <button type="button" class="btn" onClick={() => go(s - 1)} disabled={busy}>
            {t('back')}
          </button>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {s === last ? (busy ? t('sending') : t('send')) : t('next')}
        </button>
      </div>
    </form>
  );
}

function Choice({
  name,
  label,
  value,
  options,
  placeholder,
  onChange,
}: {
  name: string;
  label: string;
  value: string;
  options: [string, string][];
  placeholder: string;
  onChange: (v: string) => void;
}) {
  const id = `f-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{placeholder}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

function GroupPage({
  group,
  labels,
  answers,
  headRef,
  onAnswer,
}: {
  group: Group;
  labels: string[];
  answers: Record<string, number>;
  headRef: preact.RefObject<HTMLHeadingElement>;
  onAnswer: (id: string, v: number) => void;
}) {
  return (
    <section data-page={`group-${group.code}`}>
      <h1 tabIndex={-1} ref={headRef}>
        {group.name}
      </h1>
      {group.about && <p class="lead">{group.about}</p>}
      {group.items.map((it) => (
        <fieldset class="item" key={it.id}>
          <legend class="qtext">{it.text}</legend>
          <div class="scale">
            {labels.map((l, i) => (
              <label class="opt" key={i}>
                <input
                  type="radio"
                  name={it.id}
                  value={i + 1}
                  checked={answers[it.id] === i + 1}
                  onChange={() => onAnswer(it.id, i + 1)}
                />
                <span>{l}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ))}
    </section>
  );
}
