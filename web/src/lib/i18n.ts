// The staff app's message tables: every string a component shows comes from here. Japanese is
// the default; English is chosen per user with the switch in the header and kept in
// localStorage. Messages may hold {name} placeholders.
import { ja, type MessageKey } from '../messages/ja';
import { en } from '../messages/en';

export type Lang = 'ja' | 'en';
export type { MessageKey };

const tables: Record<Lang, Record<MessageKey, string>> = { ja, en };
const STORAGE_KEY = 'ikiiki.lang';

let current: Lang = readStored();
const listeners = new Set<() => void>();

function readStored(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'ja';
  } catch {
    return 'ja';
  }
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, l);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function onLangChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) =>
    params[k] === undefined ? m : String(params[k]),
  );
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(tables[current][key] ?? ja[key], params);
}

/* Numbers and dates in the user's language. */
export function fmtNumber(n: number, digits = 0): string {
  return n.toLocaleString(current === 'ja' ? 'ja-JP' : 'en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

export function fmtPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return t('common.none');
  return `${fmtNumber(ratio * 100, 1)}%`;
}

export function fmtDateTime(unix: number): string {
  const d = new Date(unix * 1000);
  return d.toLocaleString(current === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}
