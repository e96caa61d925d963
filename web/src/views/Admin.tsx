// Admin screens (read-mostly in this first increment): users, the role
// permission table, custom fields of customers (list and add), audit log.
import { useEffect, useState } from 'preact/hooks';
import { get, post, qs } from '../api';
import { t, useStore } from '../state';
import { formatDateTime } from '../format';
import { fieldLabel } from '../i18n';
import { ErrorBox, Notice, Spinner, type FieldMeta } from '../ui';
import { customerFields } from './CustomerList';

const TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'datetime', 'email', 'phone', 'enum', 'tags'];

export function Admin({ section }: { section: string }) {
  if (section === 'users') return <Users />;
  if (section === 'roles') return <Roles />;
  if (section === 'fields') return <Fields />;
  return <Audit />;
}

function Users() {
  const [rows, setRows] = useState<any[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const s = useStore();
  useEffect(() => { get<{ data: any[] }>('/api/v1/users').then((r) => setRows(r.data), setError); }, []);
  return (
    <section>
      <h1>{t('admin.users')}</h1>
      <ErrorBox error={error} />
      {rows === null ? !error && <Spinner /> : (
        <table class="grid"><thead><tr><th scope="col">{t('f.id')}</th><th scope="col">{t('login.name')}</th><th scope="col">{t('nav.roles')}</th><th scope="col">{t('f.team_id')}</th><th scope="col">{t('f.created_at')}</th></tr></thead>
          <tbody>{rows.map((u) => <tr><td>{u.id}</td><td>{u.name}</td><td>{t('role.' + u.role)}</td><td>{u.team_id ?? ''}</td><td>{formatDateTime(u.created_at, s.locale, s.tz)}</td></tr>)}</tbody></table>
      )}
    </section>
  );
}

function Roles() {
  const [rows, setRows] = useState<{ role: string; entities: Record<string, Record<string, string>> }[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { get<{ data: any[] }>('/api/v1/roles').then((r) => setRows(r.data), setError); }, []);
  const actions = ['read', 'create', 'update', 'delete', 'export'];
  return (
    <section>
      <h1>{t('admin.roles')}</h1>
      <ErrorBox error={error} />
      {rows === null ? !error && <Spinner /> : (
        <div class="table-wrap"><table class="grid small">
          <thead><tr><th scope="col">{t('nav.roles')}</th><th scope="col">{t('admin.entity')}</th>{actions.map((a) => <th scope="col">{a}</th>)}</tr></thead>
          <tbody>{rows.flatMap((r) => Object.entries(r.entities).map(([e, acts]) => (
            <tr><th scope="row">{t('role.' + r.role)}</th><td>{t('entity.' + e)}</td>{actions.map((a) => <td class={'scope-' + acts[a]}>{t('admin.scope.' + acts[a])}</td>)}</tr>
          )))}</tbody>
        </table></div>
      )}
    </section>
  );
}

function Fields() {
  const s = useStore();
  const [rows, setRows] = useState<FieldMeta[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState('string');
  const load = () => customerFields(true).then((f) => setRows(f.filter((x) => x.custom)), setError);
  useEffect(() => { load(); }, []);
  async function add(e: Event) {
    e.preventDefault();
    try {
      await post('/api/v1/meta/entities/customers/fields', { name: name.trim(), label: label.trim() || name.trim(), type });
      setName(''); setLabel(''); setError(null);
      setNotice(t('admin.field_added'));
      load();
    } catch (err) { setError(err); }
  }
  return (
    <section>
      <h1>{t('admin.fields')}</h1>
      <form class="card form inline-form" onSubmit={add}>
        <label>{t('admin.field_name')}<input name="field_name" value={name} pattern="[a-z][a-z0-9_]*" required onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>{t('admin.field_label')}<input name="field_label" value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} /></label>
        <span class="lbl"><label for="field-type">{t('admin.field_type')}</label><select id="field-type" name="field_type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>{TYPES.filter((x) => x !== 'enum').map((x) => <option value={x}>{x}</option>)}</select></span>
        <button type="submit" class="primary">{t('admin.add_field')}</button>
      </form>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {rows === null ? !error && <Spinner /> : rows.length === 0 ? <p class="empty">{t('c.none')}</p> : (
        <table class="grid"><thead><tr><th scope="col">{t('admin.field_name')}</th><th scope="col">{t('admin.field_label')}</th><th scope="col">{t('admin.field_type')}</th></tr></thead>
          <tbody>{rows.map((f) => <tr><td><code>{f.name}</code></td><td>{fieldLabel(s.locale, f.name, f.label)}</td><td>{f.type}</td></tr>)}</tbody></table>
      )}
    </section>
  );
}

function Audit() {
  const s = useStore();
  const [rows, setRows] = useState<any[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  async function load(cursor?: string) {
    setLoading(true);
    try {
      const r = await get<{ data: any[]; next_cursor: string | null }>('/api/v1/audit' + qs({ limit: 50, cursor }));
      setRows(cursor ? [...rows, ...r.data] : r.data); setNext(r.next_cursor); setError(null);
    } catch (e) { setError(e); } finally { setLoading(false); }
  }
  useEffect(() => { load(); }, []);
  return (
    <section>
      <h1>{t('admin.audit')}</h1>
      <ErrorBox error={error} onRetry={() => load()} />
      <div class="table-wrap"><table class="grid small">
        <thead><tr><th scope="col">{t('c.at')}</th><th scope="col">{t('admin.user')}</th><th scope="col">{t('admin.action')}</th><th scope="col">{t('admin.entity')}</th><th scope="col">{t('f.id')}</th></tr></thead>
        <tbody>{rows.map((a) => <tr><td>{formatDateTime(a.at, s.locale, s.tz)}</td><td>{a.user ?? a.user_id ?? ''}</td><td>{a.action}</td><td>{a.entity || a.source || ''}</td><td>{a.record_id ?? ''}</td></tr>)}</tbody>
      </table></div>
      {loading ? <Spinner /> : next && <button type="button" onClick={() => load(next)}>{t('admin.more')}</button>}
    </section>
  );
}
