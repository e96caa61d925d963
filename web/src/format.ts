// Formatting in the user's language and time zone, and small pure helpers the
// screens share (highlighting, filters, masking). No DOM here: Vitest tests it.

export type Locale = 'en' | 'zh-Hant' | 'zh-Hans';

/** The Intl locale for a UI language (Traditional: Taiwan conventions). */
export function intlLocale(l: Locale): string {
  return l === 'zh-Hant' ? 'zh-Hant-TW' : l === 'zh-Hans' ? 'zh-Hans-CN' : 'en-GB';
}

/** A time zone the runtime knows, else UTC. */
export function safeTimeZone(tz: string | null | undefined): string {
  if (!tz) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

export function formatDateTime(iso: string | null | undefined, l: Locale, tz: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(intlLocale(l), {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23', timeZone: safeTimeZone(tz), // not hour12:false: zh-Hant gives 24:30
  }).format(d);
}

/** A calendar date (YYYY-MM-DD) has no time zone: shown as that day. */
export function formatDate(value: string | null | undefined, l: Locale): string {
  if (!value) return '';
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(value);
  if (!m) return String(value);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(intlLocale(l), { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(d);
}

export function formatNumber(n: number | null | undefined, l: Locale): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  return new Intl.NumberFormat(intlLocale(l)).format(n);
}

export function formatMoney(n: number | null | undefined, l: Locale, currency = 'CNY'): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  return new Intl.NumberFormat(intlLocale(l), { style: 'currency', currency }).format(n);
}

/** The time zones to offer (the runtime's list, UTC first). */
export function timeZones(): string[] {
  const anyIntl = Intl as any;
  const list: string[] = typeof anyIntl.supportedValuesOf === 'function' ? anyIntl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...list.filter((z) => z !== 'UTC')];
}

export interface Segment { text: string; hit: boolean }

/** Split text into segments, marking case-insensitive occurrences of each
 *  query word (for the search results). Words that do not occur literally
 *  (pinyin, the other script) mark nothing. */
export function highlight(text: string, query: string): Segment[] {
  const s = String(text ?? '');
  const words = query.trim().split(/\s+/).filter(Boolean).map((w) => w.toLowerCase());
  if (!s || words.length === 0) return [{ text: s, hit: false }];
  const lower = s.toLowerCase();
  const marks = new Array<boolean>(s.length).fill(false);
  for (const w of words) {
    let i = lower.indexOf(w);
    while (i >= 0) {
      for (let k = i; k < i + w.length; k++) marks[k] = true;
      i = lower.indexOf(w, i + w.length);
    }
  }
  return segments(s.split(''), marks);
}

/** Characters as runs of marked and unmarked text (marks[i]: chars[i] is a hit). */
export function segments(chars: string[], marks: boolean[]): Segment[] {
  const out: Segment[] = [];
  chars.forEach((c, i) => {
    const last = out[out.length - 1];
    if (last && last.hit === marks[i]) last.text += c;
    else out.push({ text: c, hit: marks[i] });
  });
  return out;
}

/** A value the server masked for this role (138****8000, w***@x.com). */
export function isMasked(v: unknown): boolean {
  return typeof v === 'string' && /\*{3,}/.test(v);
}

export interface Filter { field: string; op: string; value: string }
export const FILTER_OPS = ['eq', 'ne', 'contains', 'prefix', 'lt', 'le', 'gt', 'ge', 'in', 'null'] as const;

/** filter=FIELD:OP:VALUE for the list API (the value may hold colons). */
export function filterParam(f: Filter): string {
  return `${f.field}:${f.op}:${f.value}`;
}

export function parseFilterParam(s: string): Filter | null {
  const m = /^([a-z][a-z0-9_]*):([a-z]+):(.*)$/s.exec(s);
  return m ? { field: m[1], op: m[2], value: m[3] } : null;
}

/** Does the text look like an identifier (phone, e-mail, card no.) rather
 *  than a name? Then the search box also asks /lookup. */
export function looksLikeIdentifier(q: string): boolean {
  const t = q.trim();
  if (t.length < 4) return false;
  if (/^[^\s@]+@[^\s@]+$/.test(t)) return true;
  const digits = t.replace(/\D/g, '').length;
  return digits >= 5 && /^[+()\d\s.\-A-Za-z]+$/.test(t);
}

/** The first rows of a CSV text (RFC 4180: quotes, doubled quotes, commas
 *  and newlines inside quotes; a BOM is dropped), for the import preview. */
export function csvRows(text: string, max = 6): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length && rows.length < max; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      rows.push(row); row = [];
    } else cell += c;
  }
  if (rows.length < max && (cell !== '' || row.length)) { row.push(cell); rows.push(row); }
  return rows;
}

/** Percent done of an import, 0–100 (0 when the total is not known). */
export function progressPercent(processed: number, total: number | null | undefined): number {
  if (!total || total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((processed / total) * 100)));
}

/** Percent done of a background job (an import, a bulk action): 100 once
 *  it is done (its total may not be known), 0 without a job. */
export function jobPercent(job: { status: string; processed: number; total: number | null } | null | undefined): number {
  if (!job) return 0;
  return job.status === 'done' ? 100 : progressPercent(job.processed, job.total);
}
