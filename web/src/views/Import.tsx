// Import customers from a CSV: pick a file, and the server previews it
// (POST /api/v1/imports/preview): each column with the field it goes to
// (suggested from its header, Chinese headers too; any field or "leave
// out" can be chosen) and the first rows with what the import would do to
// each, bad ones with their reason, nothing saved. A change of a column or
// of the match options previews again. Then the import runs in the
// background with that map: progress, the rejected rows listed and
// downloadable, and revert.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, post, qs } from '../api';
import { t, useStore } from '../state';
import { csvRows, formatNumber, jobPercent, type Locale } from '../format';
import { fieldLabel } from '../i18n';
import { buildMap, clashes, faultyCells, IDENTIFIER_COLUMNS, multipart, outcomeCounts, targets, type Preview } from '../importmap';
import { ErrorBox, Notice, type FieldMeta } from '../ui';
import { customerFields } from './CustomerList';

const MAX_BODY = 1024 * 1024; // serve --body-max default
const KEYS = ['', 'email', 'phone', 'member_card', 'policy_no', 'plate', 'national_id', 'external_id', 'id'];
const PREVIEW_ROWS = 20;

interface Job {
  id: number; status: string; message?: string; total: number | null; processed: number; created: number;
  updated: number; skipped: number; failed: number; errors: { line: number; reason: string }[];
}

function decode(buf: ArrayBuffer): string {
  try { return new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { /* not UTF-8 */ }
  try { return new TextDecoder('gb18030').decode(buf); } catch { return ''; }
}

function targetLabel(locale: Locale, name: string, fields: FieldMeta[]): string {
  if (name === 'id') return t('f.id');
  const f = fields.find((x) => x.name === name);
  if (!f && IDENTIFIER_COLUMNS.includes(name)) return t('imp.identifier', { kind: t('idk.' + name) });
  return fieldLabel(locale, name, f?.label);
}

function Mapping({ p, fields, choices, choose }: {
  p: Preview; fields: FieldMeta[]; choices: Record<string, string>; choose: (header: string, field: string) => void;
}) {
  const s = useStore();
  const options = targets(fields.map((f) => f.name));
  const map = buildMap(p, choices);
  const clash = clashes(map);
  return (
    <div class="table-wrap"><table class="grid small mapping">
      <caption class="sr-only">{t('imp.columns')}</caption>
      <thead><tr><th scope="col">{t('imp.col_header')}</th><th scope="col">{t('imp.col_sample')}</th><th scope="col">{t('imp.col_target')}</th></tr></thead>
      <tbody>{p.columns.map((c) => {
        const sample = p.rows.slice(0, 3).map((r) => r.cells[c.index]).filter((v) => v).join(' · ');
        const id = `map-${c.index}`;
        const chosen = map[c.header] || '';
        const dup = chosen && clash[chosen];
        return (
          <tr class={chosen ? '' : 'left-out'}>
            <th scope="row"><label for={id}>{c.header || t('imp.no_header', { n: c.index + 1 })}</label></th>
            <td class="sample">{sample}</td>
            <td>
              <select id={id} name={id} value={chosen} aria-describedby={`${id}-note`}
                onChange={(e) => choose(c.header, (e.target as HTMLSelectElement).value)}>
                <option value="">{t('imp.ignore')}</option>
                {options.map((o) => <option value={o}>{targetLabel(s.locale, o, fields)}</option>)}
              </select>
              <span id={`${id}-note`} class={c.error || dup ? 'note bad' : 'note'}>
                {c.error ? c.error
                  : dup ? t('imp.clash', { headers: dup.join(', ') })
                  : chosen && chosen === c.suggested ? t('imp.suggested')
                  : !chosen ? t('imp.left_out') : ''}
              </span>
            </td>
          </tr>
        );
      })}</tbody>
    </table></div>
  );
}

function Rows({ p }: { p: Preview }) {
  const s = useStore();
  const n = outcomeCounts(p.rows);
  const width = Math.max(p.columns.length, ...p.rows.map((r) => r.cells.length));
  return (
    <>
      <h2 id="imp-prev">{t('imp.preview')}</h2>
      <p role="status">{t('imp.summary', {
        n: formatNumber(p.rows.length, s.locale), create: formatNumber(n.create, s.locale), update: formatNumber(n.update, s.locale),
        skip: formatNumber(n.skip, s.locale), reject: formatNumber(n.reject, s.locale),
      })}</p>
      {n.reject > 0 && <p class="hint">{t('imp.summary_bad')}</p>}
      <div class="table-wrap"><table class="grid small preview-rows" aria-labelledby="imp-prev">
        <thead><tr><th scope="col">{t('imp.line')}</th><th scope="col">{t('imp.result')}</th>
          {Array.from({ length: width }, (_, i) => <th scope="col">{p.columns[i]?.header ?? ''}</th>)}</tr></thead>
        <tbody>{p.rows.map((r) => {
          const bad = faultyCells(r, p.columns);
          return (
            <>
              <tr class={'outcome-' + r.outcome}>
                <td>{r.line}</td>
                <td><span class={'badge outcome ' + r.outcome}>{t('imp.outcome.' + r.outcome)}</span></td>
                {Array.from({ length: width }, (_, i) => <td class={bad.has(i) ? 'bad-cell' : ''}>{r.cells[i] ?? ''}</td>)}
              </tr>
              {r.outcome === 'reject' && (
                <tr class="reason"><td></td><td colSpan={width + 1}>{t('imp.row_rejected', { reason: r.reason || '' })}</td></tr>
              )}
            </>
          );
        })}</tbody>
      </table></div>
    </>
  );
}

export function Import() {
  const s = useStore();
  const [file, setFile] = useState<File | null>(null);
  const [rawRows, setRawRows] = useState<string[][]>([]);
  const [fields, setFields] = useState<FieldMeta[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [checking, setChecking] = useState(false);
  const [key, setKey] = useState('');
  const [onMatch, setOnMatch] = useState('skip');
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const last = useRef<Preview | null>(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => { customerFields().then(setFields, () => {}); }, []);

  const options = () => ({ entity: 'customers', key: key || undefined, on_match: key ? onMatch : undefined });

  // the server's preview, again whenever the file, a column or an option changes
  useEffect(() => {
    if (!file || file.size > MAX_BODY || job) return;
    const ctl = new AbortController();
    setChecking(true);
    const wait = setTimeout(async () => {
      try {
        const mp = multipart(file, file.name, Object.keys(choices).length ? buildMap(last.current, choices) : null);
        const p = await call<Preview>('POST', '/api/v1/imports/preview' + qs({ ...options(), rows: PREVIEW_ROWS }),
          { raw: mp.body, contentType: mp.type, signal: ctl.signal });
        last.current = p;
        setPreview(p);
        setError(null);
      } catch (e: any) {
        if (e?.name !== 'AbortError') { setError(e); setPreview(null); }
      } finally {
        if (!ctl.signal.aborted) setChecking(false);
      }
    }, 200);
    return () => { clearTimeout(wait); ctl.abort(); };
  }, [file, choices, key, onMatch]);

  async function pick(e: Event) {
    const f = (e.target as HTMLInputElement).files?.[0] || null;
    setFile(f); setJob(null); setError(null); setMsg(null); setPreview(null); setChoices({});
    last.current = null;
    setRawRows(f && f.size > MAX_BODY ? csvRows(decode(await f.slice(0, 64 * 1024).arrayBuffer()), 6) : []);
    if (f && f.size > MAX_BODY) setMsg(t('imp.too_big', { size: formatNumber(Math.ceil(f.size / 1024), s.locale) }));
  }

  async function poll(id: number) {
    try {
      const j = await get<Job>(`/api/v1/imports/${id}`);
      setJob(j);
      if (j.status === 'queued' || j.status === 'running') timer.current = window.setTimeout(() => poll(id), 400);
      else setBusy(false);
    } catch (e) { setError(e); setBusy(false); }
  }

  async function start(e: Event) {
    e.preventDefault();
    if (!file) { setMsg(t('imp.pick_first')); return; }
    if (preview?.problem) { setMsg(t('imp.fix_first')); return; }
    setBusy(true); setError(null); setMsg(null); setJob(null);
    try {
      const mp = multipart(file, file.name, preview ? buildMap(preview, choices) : null);
      const r = await call<{ id: number }>('POST', '/api/v1/imports' + qs({ ...options(), name: file.name }),
        { raw: mp.body, contentType: mp.type });
      poll(r.id);
    } catch (err) { setError(err); setBusy(false); }
  }

  async function revert() {
    if (!job) return;
    try {
      const j = await post<Job>(`/api/v1/imports/${job.id}/revert`);
      setJob({ ...job, ...j });
      setMsg(t('imp.reverted'));
    } catch (e) { setError(e); }
  }

  const pct = jobPercent(job);
  return (
    <section aria-labelledby="imp-title">
      <h1 id="imp-title">{t('imp.title')}</h1>
      <form class="card form" onSubmit={start}>
        <label for="imp-file">{t('imp.file')}</label>
        <input id="imp-file" name="file" type="file" accept=".csv,text/csv" aria-describedby="imp-hint" onChange={pick} />
        <p class="hint" id="imp-hint">{t('imp.hint')}</p>
        <label for="imp-key">{t('imp.key')}</label>
        <select id="imp-key" name="key" value={key} onChange={(e) => setKey((e.target as HTMLSelectElement).value)}>
          {KEYS.map((k) => <option value={k}>{k === '' ? t('imp.key_none') : k === 'id' ? t('f.id') : t('idk.' + k)}</option>)}
        </select>
        {key && (
          <>
            <label for="imp-match">{t('imp.on_match')}</label>
            <select id="imp-match" name="on_match" value={onMatch} onChange={(e) => setOnMatch((e.target as HTMLSelectElement).value)}>
              <option value="skip">{t('imp.skip')}</option>
              <option value="update">{t('imp.update')}</option>
            </select>
          </>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !file || checking || !!preview?.problem}>{t('imp.start')}</button>
          {checking && <span class="hint" role="status">{t('imp.checking')}</span>}
        </div>
      </form>
      {msg && <p class="alert error" role="alert">{msg}</p>}
      <ErrorBox error={error} onDismiss={() => setError(null)} advice={{ 422: 'imp.err_422' }} />
      {preview && !job && (
        <section class="card" aria-labelledby="imp-cols">
          <h2 id="imp-cols">{t('imp.columns')}</h2>
          <p class="hint">{t('imp.checked', {
            encoding: preview.encoding, total: preview.total === null ? '?' : formatNumber(preview.total, s.locale),
            n: formatNumber(preview.rows.length, s.locale),
          })}</p>
          {preview.problem && (
            <div class="alert error" role="alert">
              <p>{t('imp.problem')}</p>
              <p class="detail">{t('err.detail', { message: preview.problem.message })}</p>
            </div>
          )}
          <Mapping p={preview} fields={fields} choices={choices} choose={(h, f) => setChoices({ ...choices, [h]: f })} />
          {!preview.problem && <Rows p={preview} />}
        </section>
      )}
      {rawRows.length > 0 && !job && (
        <section class="card" aria-labelledby="imp-raw">
          <h2 id="imp-raw">{t('imp.preview')}</h2>
          <div class="table-wrap"><table class="grid small">
            <thead><tr>{rawRows[0].map((h) => <th scope="col">{h}</th>)}</tr></thead>
            <tbody>{rawRows.slice(1).map((r) => <tr>{r.map((c) => <td>{c}</td>)}</tr>)}</tbody>
          </table></div>
        </section>
      )}
      {job && (
        <section class="card" aria-labelledby="imp-job">
          <h2 id="imp-job">{t('imp.job', { id: job.id })} — {t('imp.status.' + job.status)}</h2>
          <progress max={100} value={pct} aria-label={t('imp.progress')}>{pct}%</progress>
          <p role="status">{t('imp.counts', {
            processed: formatNumber(job.processed, s.locale), total: job.total === null ? '?' : formatNumber(job.total, s.locale),
            created: formatNumber(job.created, s.locale), updated: formatNumber(job.updated, s.locale),
            skipped: formatNumber(job.skipped, s.locale), failed: formatNumber(job.failed, s.locale),
          })}</p>
          {job.message && <p class="alert error">{job.message}</p>}
          <Notice text={job.status === 'done' && job.failed === 0 ? t('imp.all_in') : null} />
          {job.errors && job.errors.length > 0 && (
            <>
              <h3>{t('imp.rejected')}</h3>
              <p>{t('imp.rejected_hint')}</p>
              <table class="grid small"><thead><tr><th scope="col">{t('imp.line')}</th><th scope="col">{t('imp.reason')}</th></tr></thead>
                <tbody>{job.errors.map((e) => <tr><td>{e.line}</td><td>{e.reason}</td></tr>)}</tbody></table>
              <p><a href={`/api/v1/imports/${job.id}/rejected`} download={`rejected-${job.id}.csv`}>{t('imp.download')}</a></p>
            </>
          )}
          {(job.status === 'done' || job.status === 'interrupted') && job.created + job.updated > 0 && (
            <button type="button" onClick={revert}>{t('imp.revert')}</button>
          )}
        </section>
      )}
    </section>
  );
}
