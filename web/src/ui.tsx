// Shared pieces: the error box (what happened and what to do), hash routing,
// the value renderer (enums translated, dates in the user's zone, masks).
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { getState, t } from './state';
import { formatDate, formatDateTime, formatNumber } from './format';
import { valueLabel } from './i18n';

/** What to tell the user for an error: a sentence saying what to do, and the
 *  server's own message as detail. */
export function errorMessage(e: unknown): { text: string; detail: string } {
  if (e instanceof ApiError) {
    const s = e.status;
    const key = s === 0 ? 'err.network' : s >= 500 ? 'err.5xx'
      : [400, 401, 403, 404, 409, 412, 422, 429].includes(s) ? 'err.' + s : 'err.400';
    const fields = Object.entries(e.fields || {}).map(([k, v]) => `${k}: ${v}`).join('; ');
    const detail = s === 0 ? '' : t('err.detail', { message: e.message + (fields ? ` (${fields})` : '') });
    return { text: t(key), detail };
  }
  return { text: t('err.5xx'), detail: String((e as any)?.message || e) };
}

/** `advice` maps a status to the message key that says what to do on this
 *  screen (a 409 on a team is not a 409 on a user); the server's words follow. */
export function ErrorBox({ error, onRetry, onDismiss, advice }: {
  error: unknown; onRetry?: () => void; onDismiss?: () => void; advice?: Record<number, string>;
}) {
  if (!error) return null;
  const m = errorMessage(error);
  const key = error instanceof ApiError ? advice?.[error.status] : undefined;
  return (
    <div class="alert error" role="alert">
      <p>{key ? t(key) : m.text}</p>
      {m.detail && <p class="detail">{m.detail}</p>}
      <div class="actions">
        {onRetry && <button type="button" onClick={onRetry}>{t('err.retry')}</button>}
        {onDismiss && <button type="button" class="quiet" onClick={onDismiss}>{t('err.dismiss')}</button>}
      </div>
    </div>
  );
}

export function Notice({ text }: { text: string | null }) {
  return <div class="notice" role="status" aria-live="polite">{text || ''}</div>;
}

export function useHash(): string {
  const [h, setH] = useState(location.hash || '#/customers');
  useEffect(() => {
    const f = () => setH(location.hash || '#/customers');
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return h;
}

export function go(hash: string) {
  if (location.hash === hash) dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export interface FieldMeta {
  name: string; type: string; label: string; required: boolean; indexed: boolean;
  searchable: boolean; personal: boolean; custom: boolean; values?: string[]; references?: string;
  max_length?: number;
}

/** A field's value as text for display. */
export function showValue(f: { name: string; type: string } | undefined, v: unknown): string {
  const { locale, tz } = getState();
  if (v === null || v === undefined || v === '') return '';
  const type = f?.type || '';
  const name = f?.name || '';
  if (Array.isArray(v)) return v.join(', ');
  if (type === 'datetime' || name === 'created_at' || name === 'updated_at' || name === 'occurred_at') return formatDateTime(String(v), locale, tz);
  if (type === 'date') return formatDate(String(v), locale);
  if (type === 'boolean' || typeof v === 'boolean') return valueLabel(locale, name, String(v));
  if (type === 'enum') return valueLabel(locale, name, v);
  if ((type === 'integer' || type === 'number') && typeof v === 'number' && !name.endsWith('_id') && name !== 'id') return formatNumber(v, locale);
  return String(v);
}

export function Spinner() {
  return <p class="loading" role="status">{t('app.loading')}</p>;
}
