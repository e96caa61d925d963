// Import customers from a CSV: pick a file (previewed here, first rows),
// choose what to do with existing records, upload to POST /api/v1/imports,
// follow the background job's progress, list the rejected rows with their
// line and reason, download them as a file, or revert the whole import.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, post, qs } from '../api';
import { t, useStore } from '../state';
import { csvRows, formatNumber, progressPercent } from '../format';
import { ErrorBox, Notice } from '../ui';

const MAX_BODY = 1024 * 1024; // serve --body-max default
const KEYS = ['', 'email', 'phone', 'member_card', 'policy_no', 'plate', 'national_id', 'external_id', 'id'];

interface Job {
  id: number; status: string; message?: string; total: number | null; processed: number; created: number;
  updated: number; skipped: number; failed: number; errors: { line: number; reason: string }[];
}

function decode(buf: ArrayBuffer): string {
  try { return new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { /* not UTF-8 */ }
  try { return new TextDecoder('gb18030').decode(buf); } catch { return ''; }
}

export function Import() {
  const s = useStore();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string[][]>([]);
  const [key, setKey] = useState('');
  const [onMatch, setOnMatch] = useState('skip');
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function pick(e: Event) {
    const f = (e.target as HTMLInputElement).files?.[0] || null;
    setFile(f); setJob(null); setError(null); setMsg(null);
    setPreview(f ? csvRows(decode(await f.slice(0, 64 * 1024).arrayBuffer()), 6) : []);
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
    setBusy(true); setError(null); setMsg(null); setJob(null);
    try {
      const r = await call<{ id: number }>('POST', '/api/v1/imports' + qs({
        entity: 'customers', name: file.name, key: key || undefined, on_match: key ? onMatch : undefined,
      }), { raw: await file.arrayBuffer(), contentType: 'text/csv' });
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

  const pct = job ? (job.status === 'done' ? 100 : progressPercent(job.processed, job.total)) : 0;
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
        <div class="actions"><button type="submit" class="primary" disabled={busy || !file}>{t('imp.start')}</button></div>
      </form>
      {msg && <p class="alert error" role="alert">{msg}</p>}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {preview.length > 0 && !job && (
        <section class="card" aria-labelledby="imp-prev">
          <h2 id="imp-prev">{t('imp.preview')}</h2>
          <div class="table-wrap"><table class="grid small">
            <thead><tr>{preview[0].map((h) => <th scope="col">{h}</th>)}</tr></thead>
            <tbody>{preview.slice(1).map((r) => <tr>{r.map((c) => <td>{c}</td>)}</tr>)}</tbody>
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
