// The HTTP client of the UI: same-origin fetches to /api/v1 with the session
// cookie, the CSRF token on writes, and errors turned into ApiError (status,
// code, message, per-field messages) that the screens translate.

export class ApiError extends Error {
  status: number;
  code: string;
  fields: Record<string, string>;
  body: any;
  retryAfter?: number; // seconds, from a Retry-After header (429, 503)
  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, body: any = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.body = body;
  }
}

let csrf = '';
let onUnauthorized: (() => void) | null = null;

export function setCsrf(token: string) { csrf = token || ''; }
export function setUnauthorizedHandler(fn: () => void) { onUnauthorized = fn; }

export interface CallOptions {
  body?: unknown;
  raw?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  quiet401?: boolean; // the login form handles its own 401
}

export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers || {}) };
  let body: BodyInit | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await send(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  const json = await jsonBody(res);
  if (!res.ok) throw failed(res, json, opts.quiet401);
  return json as T;
}

/** fetch(), a network failure as ApiError (status 0); an abort stays an AbortError. */
async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (e: any) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e && e.message || e));
  }
}

/** The answer's body as JSON (null if empty or not JSON). */
async function jsonBody(res: Response): Promise<any> {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return null; }
}

/** The ApiError of an answer that is not 2xx (json: its body, if any). */
function failed(res: Response, json: any, quiet401?: boolean): ApiError {
  const err = json && json.error ? json.error : {};
  const retry = res.headers.get('Retry-After');
  const e = new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText,
    err.fields || {}, json);
  if (retry) e.retryAfter = Number(retry);
  if (res.status === 401 && !quiet401 && onUnauthorized) onUnauthorized();
  return e;
}

/** Download a file (an export) as a Blob, telling onBytes how much has
 *  come so far; errors as ApiError like call(). */
export async function fetchFile(path: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<Blob> {
  const res = await send(path, { credentials: 'same-origin', signal });
  if (!res.ok) throw failed(res, await jsonBody(res));
  const type = res.headers.get('Content-Type') || 'application/octet-stream';
  if (!res.body) return new Blob([await res.arrayBuffer()], { type });
  const reader = res.body.getReader();
  const parts: BlobPart[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
    onBytes?.(n);
  }
  return new Blob(parts, { type });
}

export const get = <T = any>(p: string, o?: CallOptions) => call<T>('GET', p, o);
export const post = <T = any>(p: string, body?: unknown, o: CallOptions = {}) => call<T>('POST', p, { ...o, body });
export const patch = <T = any>(p: string, body?: unknown, o: CallOptions = {}) => call<T>('PATCH', p, { ...o, body });

/** Build a query string; arrays repeat the key (filter=a&filter=b). */
export function qs(params: Record<string, string | number | undefined | null | (string | number)[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
