// Custom fields of customers (admins): add one (it is in the forms, the
// columns, the filters and the exports at once) or delete one after a
// confirmation (its values stay in the records, hidden, and come back if a
// field of that name is added again).
import { useEffect, useState } from 'preact/hooks';
import { call, post } from '../../api';
import { t, useStore } from '../../state';
import { fieldLabel } from '../../i18n';
import { ErrorBox, Notice, Spinner, type FieldMeta } from '../../ui';
import { customerFields } from '../CustomerList';

const TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'datetime', 'email', 'phone', 'tags'];

export function Fields() {
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
  async function remove(f: FieldMeta) {
    if (!confirm(t('fields.confirm_delete', { name: f.name }))) return;
    try {
      await call('DELETE', `/api/v1/meta/entities/customers/fields/${encodeURIComponent(f.name)}`);
      setError(null);
      setNotice(t('fields.deleted', { name: f.name }));
      load();
    } catch (err) { setError(err); }
  }
  return (
    <section>
      <h1>{t('admin.fields')}</h1>
      <form class="card form inline-form" onSubmit={add}>
        <label>{t('admin.field_name')}<input name="field_name" value={name} pattern="[a-z][a-z0-9_]*" required onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>{t('admin.field_label')}<input name="field_label" value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} /></label>
        <span class="lbl"><label for="field-type">{t('admin.field_type')}</label><select id="field-type" name="field_type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>{TYPES.map((x) => <option value={x}>{x}</option>)}</select></span>
        <button type="submit" class="primary">{t('admin.add_field')}</button>
      </form>
      <ErrorBox error={error} advice={{ 409: 'fields.err_409', 422: 'fields.err_422' }} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {rows === null ? !error && <Spinner /> : rows.length === 0 ? <p class="empty">{t('c.none')}</p> : (
        <table class="grid"><thead><tr><th scope="col">{t('admin.field_name')}</th><th scope="col">{t('admin.field_label')}</th><th scope="col">{t('admin.field_type')}</th><th scope="col">{t('users.actions')}</th></tr></thead>
          <tbody>{rows.map((f) => (
            <tr data-field-row={f.name}><td><code>{f.name}</code></td><td>{fieldLabel(s.locale, f.name, f.label)}</td><td>{f.type}</td>
              <td><button type="button" onClick={() => remove(f)} aria-label={t('fields.delete_named', { name: f.name })}>{t('fields.delete')}</button></td></tr>
          ))}</tbody></table>
      )}
    </section>
  );
}
