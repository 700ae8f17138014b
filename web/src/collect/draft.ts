// Answers kept in this browser until they are sent: a reload or a closed tab loses nothing.
// Keyed by the link's token; removed once the server has taken the answers.
import type { Draft } from './types';

const key = (token: string) => `ikiiki.answers.${token}`;

export function emptyDraft(): Draft {
  return { step: 0, position: '', segment: '', team: '', tenure: '', answers: {}, comment: '' };
}

export function loadDraft(token: string): Draft {
  try {
    const raw = localStorage.getItem(key(token));
    if (!raw) return emptyDraft();
    const d = JSON.parse(raw);
    const out = emptyDraft();
    if (Number.isInteger(d.step) && d.step >= 0) out.step = d.step;
    for (const f of ['position', 'segment', 'team', 'tenure', 'comment'] as const)
      if (typeof d[f] === 'string') out[f] = d[f];
    if (d.answers && typeof d.answers === 'object')
      for (const [id, v] of Object.entries(d.answers))
        if (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 6) out.answers[id] = v as number;
    return out;
  } catch {
    return emptyDraft();
  }
}

export function saveDraft(token: string, d: Draft): void {
  try {
    localStorage.setItem(key(token), JSON.stringify(d));
  } catch {
    /* storage full or disabled: the form still works, only a reload would lose answers */
  }
}

export function clearDraft(token: string): void {
  try {
    localStorage.removeItem(key(token));
  } catch {
    /* nothing to clear */
  }
}
