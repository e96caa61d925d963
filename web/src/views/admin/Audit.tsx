// The audit log (admins): filters by user, record type, action, record id
// and a range of days (days in the user's time zone), one page at a time
// through the API's cursors (a stack of them for "previous").
import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../../api';
import { t, useStore } from '../../state';
import { formatDateTime } from '../../format';
import { auditQuery, auditSummary, NO_AUDIT_FILTER, type AuditFilter } from '../../admin';
import { ErrorBox, Spinner } from '../../ui';
import { loadUsers, type UserRow } from './common';

const PAGE = 50;

interface Row { source: string; id: number; at: string; user: string | null; user_id: number | null; action: string; entity: string | null; record_id: number | null; ip: string | null; detail: any }

function recordLink(a: Row): string | null {
  if (!a.record_id) return null;
  if (a.entity === 'customers') return `#/customers/${a.record_id}`;
  return null;
}

export function Audit() {
  const s = useStore();
  const [users, setUsers] = useState<UserRow[]>([]);
  const [entities, setEntities] = useState<string[]>([]);
  const [draft, setDraft] = useState<AuditFilter>(NO_AUDIT_FILTER);
  const [filter, setFilter] = useState<AuditFilter>(NO_AUDIT_FILTER);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    loadUsers().then(setUsers, () => {});
    get<{ data: { name: string }[] }>('/api/v1/meta/entities').then((r) => setEntities(r.data.map((e) => e.name)), () => {});
  }, []);
  const page = cursors.length - 1;
  useEffect(() => {
    const ctl = new AbortController();
    setRows(null);
    get<{ data: Row[]; next_cursor: string | null }>('/api/v1/audit' + qs(auditQuery(filter, s.tz, PAGE, cursors[page])), { signal: ctl.signal })
      .then((r) => { setRows(r.data); setNext(r.next_cursor); setError(null); })
      .catch((e) => { if (e?.name !== 'AbortError') { setError(e); setRows([]); } });
    return () => ctl.abort();
  }, [filter, cursors, s.tz]);

  const set = (k: keyof AuditFilter) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  function apply(e: Event) {
    e.preventDefault();
    setFilter(draft);
    setCursors([null]);
  }
  function clear() {
    setDraft(NO_AUDIT_FILTER);
    setFilter(NO_AUDIT_FILTER);
    setCursors([null]);
  }
  const range = draft.from && draft.to && draft.from > draft.to;
  return (
    <section>
      <h1>{t('admin.audit')}</h1>
      <form class="card filters audit-filters" onSubmit={apply} aria-label={t('list.filters')}>
        <div class="filter-row">
          <span class="lbl"><label for="au-user">{t('admin.user')}</label>
            <select id="au-user" name="user" value={draft.user} onChange={set('user')}>
              <option value="">{t('audit.anyone')}</option>
              {users.map((u) => <option value={u.name}>{u.name}</option>)}
            </select></span>
          <span class="lbl"><label for="au-entity">{t('admin.entity')}</label>
            <select id="au-entity" name="entity" value={draft.entity} onChange={set('entity')}>
              <option value="">{t('audit.any_entity')}</option>
              {entities.map((e) => <option value={e}>{t('entity.' + e)}</option>)}
            </select></span>
          <label>{t('admin.action')}<input name="action" list="au-actions" value={draft.action} onInput={set('action')} size={14} /></label>
          <datalist id="au-actions">
            {['create', 'update', 'delete', 'restore', 'login', 'login_failed', 'logout', 'reveal', 'export', 'user_created', 'user_changed', 'user_removed', 'role_changed']
              .map((a) => <option value={a} />)}
          </datalist>
          <label>{t('audit.record')}<input name="record" inputMode="numeric" pattern="[0-9]*" value={draft.record} onInput={set('record')} size={8} /></label>
          <label>{t('audit.from')}<input name="from" type="date" value={draft.from} onInput={set('from')} /></label>
          <label>{t('audit.to')}<input name="to" type="date" value={draft.to} onInput={set('to')} aria-invalid={range || undefined} /></label>
        </div>
        {range && <p class="alert error" role="alert">{t('audit.bad_range')}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={!!range}>{t('list.apply')}</button>
          <button type="button" onClick={clear}>{t('list.clear')}</button>
          <span class="hint">{t('audit.tz_note', { tz: s.tz })}</span>
        </div>
      </form>
      <ErrorBox error={error} advice={{ 400: 'audit.err_400' }} onRetry={() => setCursors([...cursors])} />
      {rows === null ? <Spinner /> : rows.length === 0 ? <p class="empty">{t('audit.none')}</p> : (
        <div class="table-wrap"><table class="grid small">
          <thead><tr><th scope="col">{t('c.at')}</th><th scope="col">{t('admin.user')}</th><th scope="col">{t('admin.action')}</th>
            <th scope="col">{t('admin.entity')}</th><th scope="col">{t('audit.record')}</th><th scope="col">{t('audit.detail')}</th><th scope="col">{t('audit.ip')}</th></tr></thead>
          <tbody>{rows.map((a) => {
            const link = recordLink(a);
            return (
              <tr>
                <td>{formatDateTime(a.at, s.locale, s.tz)}</td>
                <td>{a.user ?? a.user_id ?? ''}</td>
                <td>{a.action}</td>
                <td>{a.entity ? t('entity.' + a.entity) : ''}</td>
                <td>{a.record_id ? (link ? <a href={link}>{a.record_id}</a> : a.record_id) : ''}</td>
                <td class="detail">{auditSummary(a)}</td>
                <td>{a.ip ?? ''}</td>
              </tr>
            );
          })}</tbody>
        </table></div>
      )}
      <div class="pager">
        <button type="button" disabled={page === 0} onClick={() => setCursors(cursors.slice(0, -1))}>{t('list.prev')}</button>
        <span>{t('list.page', { n: page + 1 })}</span>
        <button type="button" disabled={!next} onClick={() => setCursors([...cursors, next])}>{t('list.next')}</button>
      </div>
    </section>
  );
}
