// The API client of the staff app: same-origin JSON with the session cookie, the CSRF token on
// every state-changing request, and errors turned into an ApiError that screens show in words.
import { t, type MessageKey } from './i18n';

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public detail: string,
  ) {
    super(detail || code);
  }
}

let csrf = '';
let onUnauthenticated: (() => void) | null = null;

export function setCsrf(token: string): void {
  csrf = token;
}

/* Called when a request answers 401 (the session ended): the app returns to sign-in. */
export function setUnauthenticatedHandler(f: (() => void) | null): void {
  onUnauthenticated = f;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return undefined as T;
  let data: any = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data?.error ?? {};
    const err = new ApiError(res.status, e.code ?? 'unknown', e.message ?? '');
    if (res.status === 401 && path !== '/session' && onUnauthenticated) onUnauthenticated();
    throw err;
  }
  // A reply cut short (the page moved on while it arrived) is an error, not an empty value.
  if (data === null) throw new ApiError(res.status, 'bad_reply', '');
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/* One sentence for the user: what went wrong in their language, then the server's own detail
 * (it names the field) when there is one. */
export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t('error.unknown');
  const byStatus: Record<number, MessageKey> = {
    0: 'error.network',
    400: 'error.bad_request',
    401: 'error.unauthenticated',
    403: 'error.forbidden',
    404: 'error.not_found',
    409: 'error.conflict',
    410: 'error.gone',
    413: 'error.too_large',
    429: 'error.rate_limited',
  };
  let key: MessageKey = byStatus[err.status] ?? (err.status >= 500 ? 'error.server' : 'error.unknown');
  if (err.code === 'bad_credentials') key = 'error.bad_credentials';
  if (err.code === 'csrf') key = 'error.csrf';
  const head = t(key);
  return err.detail && err.status === 400 ? `${head}（${err.detail}）` : head;
}
