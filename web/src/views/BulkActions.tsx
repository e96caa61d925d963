// Bulk actions on the rows selected in a list (or all that match it):
// assign an owner, add or remove a tag, through POST /api/v1/{entity}/bulk;
// the background job's progress bar, its counts, and the records that were
// not changed with the reason (GET /api/v1/bulk_jobs/{id}).
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { t, useStore } from '../state';
import { formatNumber, jobPercent } from '../format';
import { ErrorBox, Notice } from '../ui';
import { bulkBody, bulkValueOk, selectedCount, type BulkAction, type ListState, type Selection } from '../listState';

interface Job {
  id: number; status: string; message: string | null; total: number; processed: number; changed: number;
  skipped: number; failed: number; errors: { id: number; code: string; reason: string }[];
}

interface Props {
  entity: string;
  selection: Selection;
  state: ListState;
  onFinished: () => void; // the list shows the changes
}

const ACTIONS: BulkAction[] = ['add_tag', 'remove_tag', 'assign_owner'];

/** Why a record was not changed, in the user's language where we know it. */
function reason(e: { code: string; reason: string }): string {
  return e.code === 'forbidden' || e.code === 'not_found' ? t('bulk.reason.' + e.code) : e.reason;
}

export function BulkActions({ entity, selection, state, onFinished }: Props) {
  const s = useStore();
  const [action, setAction] = useState<BulkAction>('add_tag');
  const [tag, setTag] = useState('');
  const [owner, setOwner] = useState('');
  const [users, setUsers] = useState<{ id: number; name: string }[] | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    if (action !== 'assign_owner' || users) return;
    get<{ data: { id: number; name: string }[] }>('/api/v1/users')
      .then((r) => { setUsers(r.data); if (r.data[0]) setOwner(String(r.data[0].id)); }, setError);
  }, [action]);

  async function follow(id: number) {
    try {
      const j = await get<Job>(`/api/v1/bulk_jobs/${id}`);
      setJob(j);
      if (j.status === 'queued' || j.status === 'running') timer.current = window.setTimeout(() => follow(id), 400);
      else { setBusy(false); onFinished(); }
    } catch (e) { setError(e); setBusy(false); }
  }

  async function start(e: Event) {
    e.preventDefault();
    const value = action === 'assign_owner' ? owner : tag;
    if (!bulkValueOk(action, value)) { setProblem(t('bulk.bad_value')); return; }
    setProblem(null); setError(null); setJob(null); setBusy(true);
    try {
      const r = await post<{ id: number }>(`/api/v1/${entity}/bulk`, bulkBody(action, value, selection, state));
      follow(r.id);
    } catch (err) { setError(err); setBusy(false); }
  }

  const n = (x: number) => formatNumber(x, s.locale);
  const pct = jobPercent(job);
  return (
    <section class="card bulk" aria-labelledby="bulk-title">
      <h2 id="bulk-title">{t('bulk.title')}</h2>
      <form class="form inline-form" onSubmit={start}>
        <span class="lbl"><label for="bulk-action">{t('bulk.action')}</label>
          <select id="bulk-action" name="bulk-action" value={action} onChange={(e) => setAction((e.target as HTMLSelectElement).value as BulkAction)}>
            {ACTIONS.map((a) => <option value={a}>{t('bulk.' + a)}</option>)}
          </select></span>
        {action === 'assign_owner' ? (
          <span class="lbl"><label for="bulk-owner">{t('bulk.owner')}</label>
            <select id="bulk-owner" name="bulk-owner" value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
              {(users || []).map((u) => <option value={String(u.id)}>{u.name}</option>)}
            </select></span>
        ) : (
          <span class="lbl"><label for="bulk-tag">{t('bulk.tag')}</label>
            <input id="bulk-tag" name="bulk-tag" value={tag} maxLength={50} onInput={(e) => setTag((e.target as HTMLInputElement).value)} /></span>
        )}
        <button type="submit" class="primary" disabled={busy}>{t('bulk.apply', { count: n(selectedCount(selection)) })}</button>
      </form>
      {problem && <p class="alert error" role="alert">{problem}</p>}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {job && (
        <div class="job">
          <h3>{t('bulk.job', { id: job.id })} — {t('bulk.status.' + job.status)}</h3>
          <progress max={100} value={pct} aria-label={t('bulk.progress')}>{pct}%</progress>
          <p role="status">{t('bulk.counts', {
            processed: n(job.processed), total: n(job.total), changed: n(job.changed), skipped: n(job.skipped), failed: n(job.failed),
          })}</p>
          {job.message && <p class="alert error">{job.message}</p>}
          <Notice text={job.status === 'done' && job.failed === 0 ? t('bulk.all_done') : null} />
          {job.errors.length > 0 && (
            <>
              <h4>{t('bulk.failures')}</h4>
              <p class="hint">{t('bulk.failures_hint')}</p>
              <table class="grid small">
                <thead><tr><th scope="col">{t('bulk.record')}</th><th scope="col">{t('bulk.reason')}</th></tr></thead>
                <tbody>{job.errors.map((x) => (
                  <tr><td><a href={`#/customers/${x.id}`}>#{x.id}</a></td><td>{reason(x)}</td></tr>
                ))}</tbody>
              </table>
            </>
          )}
        </div>
      )}
    </section>
  );
}
