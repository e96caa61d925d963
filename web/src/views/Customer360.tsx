// The customer 360° page: profile with inline edit (If-Match; a 412 shows
// the other user's values), identifiers, contacts, key figures, the timeline
// by channel, logging an interaction in two clicks, duplicates with merge
// and undo, and the audited reveal of masked personal data.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post, qs } from '../api';
import { t, getState, useStore, can } from '../state';
import { formatDateTime, formatMoney, formatNumber, isMasked } from '../format';
import { fieldLabel, valueLabel } from '../i18n';
import { ErrorBox, Notice, Spinner, showValue, type FieldMeta } from '../ui';
import { customerFields } from './CustomerList';

const CHANNELS = ['phone', 'email', 'sms', 'fax', 'web', 'kiosk', 'ivr', 'face_to_face', 'social', 'chat'];
const QUICK = ['phone', 'email', 'sms', 'face_to_face', 'chat'];
const HIDDEN = new Set(['id', 'created_at', 'updated_at']);

interface Overview {
  profile: any;
  related: { customer_identifiers?: any[]; contacts?: any[]; consents?: any[] };
  timeline: { entity: string; id: number; at: string; kind: string; title: string; record: any }[];
  open_items: any[];
  key_figures: { first_contact: string | null; last_contact: string | null; timeline_items: number; per_kind: Record<string, Record<string, number>>; lifetime_spend: number | null };
}

interface Conflict { field: string; mine: unknown; theirs: unknown; version: number; user: string }

export function Customer360({ id }: { id: number }) {
  const s = useStore();
  const [ov, setOv] = useState<Overview | null>(null);
  const [fields, setFields] = useState<FieldMeta[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Record<string, unknown> | null>(null);
  const [revealedIds, setRevealedIds] = useState<Record<number, string>>({});
  const [channel, setChannel] = useState('');
  const [n, setN] = useState(0);

  async function load() {
    try {
      const [o, f] = await Promise.all([get<Overview>(`/api/v1/customers/${id}/overview` + qs({ limit: 100 })), customerFields()]);
      setOv(o); setFields(f); setError(null);
    } catch (e) { setError(e); }
  }
  useEffect(() => { load(); }, [id, n]);

  if (error && !ov) return <section><ErrorBox error={error} onRetry={load} /><p><a href="#/customers">{t('c.back')}</a></p></section>;
  if (!ov) return <Spinner />;
  const p = { ...ov.profile, ...(revealed || {}) };
  const masked = Object.entries(ov.profile).some(([, v]) => isMasked(v)) ||
    (ov.related.customer_identifiers || []).some((r) => isMasked(r.value));
  // 'own' scope: only the owner's records (a share may allow more: then a
  // save answered 403 says so); 'team' and 'all' are left to the server
  const scope = s.perms.customers?.update;
  const canEdit = scope === 'all' || scope === 'team' || (scope === 'own' && p.owner_id === s.user?.id);
  const kf = ov.key_figures;
  const perChannel = kf.per_kind?.interactions || {};
  const items = ov.timeline.filter((i) => !channel || i.kind === channel);

  async function reveal() {
    try {
      // the customer's fields, and each masked identifier (each look audited)
      const masked = (ov!.related.customer_identifiers || []).filter((x) => isMasked(x.value));
      const [r, ...ids] = await Promise.all([
        post<{ data: Record<string, unknown> }>(`/api/v1/customers/${id}/reveal`),
        ...masked.map((x) => post<{ data: { value: string } }>(`/api/v1/customer_identifiers/${x.id}/reveal`, undefined)),
      ]);
      setRevealed(r.data);
      setRevealedIds(Object.fromEntries(masked.map((x, i) => [x.id, String(ids[i].data.value)])));
      setNotice(t('c.revealed'));
    } catch (e) { setError(e); }
  }

  return (
    <article class="c360" aria-labelledby="c-title">
      <p><a href="#/customers">← {t('c.back')}</a></p>
      <header class="c-head">
        <h1 id="c-title">{p.local_name && p.local_name !== p.name ? <>{p.local_name} <small>{p.name}</small></> : p.name}</h1>
        <span class="badge">{valueLabel(s.locale, 'kind', p.kind)}</span>
        {p.relationship_type && <span class="badge">{valueLabel(s.locale, 'relationship_type', p.relationship_type)}</span>}
        {(p.tags || []).map((tag: string) => <span class="tag">{tag}</span>)}
      </header>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {masked && !revealed && (
        <p class="masked-note">{t('c.masked_note')} <button type="button" onClick={reveal}>{t('c.reveal')}</button></p>
      )}
      <section class="card figures" aria-labelledby="kf-title">
        <h2 id="kf-title">{t('c.key_figures')}</h2>
        <dl>
          <div><dt>{t('c.first_contact')}</dt><dd>{formatDateTime(kf.first_contact, s.locale, s.tz) || '—'}</dd></div>
          <div><dt>{t('c.last_contact')}</dt><dd>{formatDateTime(kf.last_contact, s.locale, s.tz) || '—'}</dd></div>
          <div><dt>{t('c.timeline_items')}</dt><dd>{formatNumber(kf.timeline_items, s.locale)}</dd></div>
          {kf.lifetime_spend !== null && <div><dt>{t('c.lifetime_spend')}</dt><dd>{formatMoney(kf.lifetime_spend, s.locale)}</dd></div>}
        </dl>
      </section>
      <div class="cols2">
        <Profile id={id} record={p} fields={fields} canEdit={canEdit}
          onSaved={(rec) => { setOv({ ...ov, profile: rec }); setRevealed(null); setNotice(t('c.saved')); }} />
        <div>
          <section class="card" aria-labelledby="log-title">
            <h2 id="log-title">{t('c.log')}</h2>
            <LogInteraction customerId={id} onLogged={() => { setNotice(t('c.logged')); setN(n + 1); }} />
          </section>
          <section class="card" aria-labelledby="tl-title">
            <h2 id="tl-title">{t('c.timeline')}</h2>
            <div class="chips" role="group" aria-label={t('c.filter_channel')}>
              <button type="button" aria-pressed={channel === ''} onClick={() => setChannel('')}>{t('c.all_channels')} ({formatNumber(ov.timeline.length, s.locale)})</button>
              {CHANNELS.filter((c) => perChannel[c]).map((c) => (
                <button type="button" aria-pressed={channel === c} onClick={() => setChannel(c)}>{t('ch.' + c)} ({formatNumber(perChannel[c], s.locale)})</button>
              ))}
            </div>
            {items.length === 0 ? <p class="empty">{t('c.none')}</p> : (
              <ol class="timeline">
                {items.map((i) => (
                  <li>
                    <time dateTime={i.at}>{formatDateTime(i.at, s.locale, s.tz)}</time>
                    <span class="badge">{t('ch.' + i.kind) || i.kind}</span>
                    {i.record?.direction && <span class="dir">{t('dir.' + i.record.direction)}</span>}
                    <strong>{i.title}</strong>
                    {i.record?.outcome && <span class="outcome"> — {i.record.outcome}</span>}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
      <div class="cols2">
        <section class="card" aria-labelledby="id-title">
          <h2 id="id-title">{t('c.identifiers')}</h2>
          <Rows rows={ov.related.customer_identifiers || []} cols={[
            ['c.kind', (r) => t('idk.' + r.kind)],
            ['c.value', (r) => revealedIds[r.id] ?? String(r.value)],
          ]} />
        </section>
        <section class="card" aria-labelledby="ct-title">
          <h2 id="ct-title">{t('c.contacts')}</h2>
          <Rows rows={ov.related.contacts || []} cols={[
            ['f.name', (r) => r.local_name || r.name],
            ['c.role', (r) => r.role || ''],
            ['f.phone', (r) => r.mobile || r.phone || ''],
            ['f.email', (r) => r.email || ''],
          ]} />
        </section>
      </div>
      <Duplicates id={id} onChanged={() => setN(n + 1)} />
    </article>
  );
}

function Rows({ rows, cols }: { rows: any[]; cols: [string, (r: any) => string][] }) {
  if (rows.length === 0) return <p class="empty">{t('c.none')}</p>;
  return (
    <table class="grid small">
      <thead><tr>{cols.map(([k]) => <th scope="col">{t(k)}</th>)}</tr></thead>
      <tbody>{rows.map((r) => <tr>{cols.map(([, f]) => <td>{f(r)}</td>)}</tr>)}</tbody>
    </table>
  );
}

function Profile({ id, record, fields, canEdit, onSaved }: { id: number; record: any; fields: FieldMeta[]; canEdit: boolean; onSaved: (r: any) => void }) {
  const s = useStore();
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [version, setVersion] = useState<number>(record.version);
  useEffect(() => setVersion(record.version), [record.version]);

  function toValue(f: FieldMeta, text: string): unknown {
    if (text === '') return null;
    if (f.type === 'integer') return Number.parseInt(text, 10);
    if (f.type === 'number') return Number(text);
    if (f.type === 'boolean') return text === 'true';
    if (f.type === 'tags') return text.split(/[,;，；]/).map((x) => x.trim()).filter(Boolean);
    return text;
  }

  async function save(f: FieldMeta, value: unknown, ifMatch: number) {
    setError(null);
    try {
      const r = await patch(`/api/v1/customers/${id}`, { [f.name]: value }, { headers: { 'If-Match': String(ifMatch) } });
      setEditing(null); setConflict(null);
      onSaved(r);
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        const [now, hist] = await Promise.all([
          get(`/api/v1/customers/${id}`),
          get<{ data: any[] }>(`/api/v1/customers/${id}/history`).catch(() => ({ data: [] })),
        ]);
        const last = hist.data[hist.data.length - 1];
        setConflict({ field: f.name, mine: value, theirs: now[f.name], version: now.version, user: last?.user || t('c.conflict_someone') });
      } else setError(e);
    }
  }

  const editable = fields.filter((f) => !HIDDEN.has(f.name) && f.type !== 'ref' && !f.references);
  return (
    <section class="card profile" aria-labelledby="pf-title">
      <h2 id="pf-title">{t('c.profile')}</h2>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {conflict && (() => {
        const f = fields.find((x) => x.name === conflict.field)!;
        return (
          <div class="alert conflict" role="alert">
            <h3>{t('c.conflict_title')}</h3>
            <p>{t('c.conflict_text', { user: conflict.user })}</p>
            <table class="grid small">
              <thead><tr><th scope="col">{t('c.conflict_field')}</th><th scope="col">{t('c.conflict_theirs')}</th><th scope="col">{t('c.conflict_yours')}</th></tr></thead>
              <tbody><tr><td>{fieldLabel(s.locale, f.name, f.label)}</td><td class="theirs">{showValue(f, conflict.theirs)}</td><td class="mine">{showValue(f, conflict.mine)}</td></tr></tbody>
            </table>
            <div class="actions">
              <button type="button" onClick={async () => { const r = await get(`/api/v1/customers/${id}`); setConflict(null); setEditing(null); onSaved(r); }}>{t('c.keep_theirs')}</button>
              <button type="button" class="primary" onClick={() => save(f, conflict.mine, conflict.version)}>{t('c.save_mine')}</button>
            </div>
          </div>
        );
      })()}
      <dl class="fields">
        {editable.map((f) => {
          const label = fieldLabel(s.locale, f.name, f.label);
          const v = record[f.name];
          if (editing === f.name) {
            return (
              <div class="field-row editing">
                <dt><label for={'edit-' + f.name}>{label}</label></dt>
                <dd>
                  <form class="edit-row" onSubmit={(e) => { e.preventDefault(); save(f, toValue(f, draft), version); }}>
                    <EditInput f={f} value={draft} onInput={setDraft} />
                    <button type="submit" class="primary">{t('c.save')}</button>
                    <button type="button" onClick={() => { setEditing(null); setConflict(null); }}>{t('c.cancel')}</button>
                  </form>
                </dd>
              </div>
            );
          }
          return (
            <div class="field-row">
              <dt>{label}</dt>
              <dd><span data-field={f.name}>{showValue(f, v) || <span class="muted">—</span>}</span>
                {canEdit && !isMasked(v) && (
                  <button type="button" class="quiet edit" aria-label={t('c.edit', { field: label })}
                    onClick={() => { setEditing(f.name); setDraft(v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v)); }}>✎</button>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

function EditInput({ f, value, onInput }: { f: FieldMeta; value: string; onInput: (v: string) => void }) {
  const id = 'edit-' + f.name;
  const { locale } = getState();
  if (f.values || f.type === 'boolean') {
    const vals = f.values || ['true', 'false'];
    return (
      <select id={id} name={f.name} value={value} autofocus onChange={(e) => onInput((e.target as HTMLSelectElement).value)}>
        {!f.required && <option value="">—</option>}
        {vals.map((v) => <option value={v}>{valueLabel(locale, f.name, v)}</option>)}
      </select>
    );
  }
  if (f.type === 'text') return <textarea id={id} name={f.name} value={value} autofocus onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />;
  const type = f.type === 'date' ? 'date' : f.type === 'integer' || f.type === 'number' ? 'number' : f.type === 'email' ? 'email' : 'text';
  return <input id={id} name={f.name} type={type} value={value} autofocus maxLength={f.max_length} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />;
}

function LogInteraction({ customerId, onLogged }: { customerId: number; onLogged: () => void }) {
  const [channel, setChannel] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [direction, setDirection] = useState('outbound');
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (!can('interactions', 'create')) return null;
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      await post('/api/v1/interactions', {
        customer_id: customerId, channel, direction,
        subject: subject.trim() || t('ch.' + channel!), ...(outcome.trim() ? { outcome: outcome.trim() } : {}),
      });
      setChannel(null); setSubject(''); setOutcome(''); setError(null);
      onLogged();
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  return (
    <div>
      <div class="chips" role="group" aria-label={t('c.log')}>
        {QUICK.map((c) => (
          <button type="button" aria-pressed={channel === c} onClick={() => setChannel(c)}>{t('c.log_channel', { channel: t('ch.' + c) })}</button>
        ))}
      </div>
      {channel && (
        <form class="log-form" onSubmit={submit}>
          <label>{t('c.subject')}<input name="subject" value={subject} placeholder={t('ch.' + channel)} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} /></label>
          <span class="lbl"><label for="log-direction">{t('c.direction')}</label>
            <select id="log-direction" name="direction" value={direction} onChange={(e) => setDirection((e.target as HTMLSelectElement).value)}>
              <option value="outbound">{t('dir.outbound')}</option>
              <option value="inbound">{t('dir.inbound')}</option>
            </select></span>
          <label>{t('c.outcome')}<input name="outcome" value={outcome} onInput={(e) => setOutcome((e.target as HTMLInputElement).value)} /></label>
          <ErrorBox error={error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>{t('c.save')}</button>
            <button type="button" onClick={() => setChannel(null)}>{t('c.cancel')}</button>
          </div>
        </form>
      )}
    </div>
  );
}

function Duplicates({ id, onChanged }: { id: number; onChanged: () => void }) {
  const s = useStore();
  const [dups, setDups] = useState<{ customer: any; score: number; reasons: string[] }[] | null>(null);
  const [merges, setMerges] = useState<any[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [n, setN] = useState(0);

  useEffect(() => {
    Promise.all([
      get<{ data: any[] }>(`/api/v1/customers/${id}/duplicates`),
      get<{ data: any[] }>(`/api/v1/customers/${id}/merges`).catch(() => ({ data: [] })),
    ]).then(([d, m]) => { setDups(d.data); setMerges(m.data.filter((x: any) => !x.undone_at)); }, setError);
  }, [id, n]);

  async function merge(c: any) {
    if (!confirm(t('c.merge_confirm', { name: c.local_name || c.name }))) return;
    try {
      await post(`/api/v1/customers/${id}/merge`, { duplicate_id: c.id });
      setNotice(t('c.merged', { name: c.local_name || c.name }));
      setN(n + 1); onChanged();
    } catch (e) { setError(e); }
  }
  async function undo(m: any) {
    try {
      await post(`/api/v1/merges/${m.id}/undo`);
      setNotice(t('c.undone'));
      setN(n + 1); onChanged();
    } catch (e) { setError(e); }
  }
  const canMerge = can('customers', 'update') && can('customers', 'delete');
  return (
    <section class="card" aria-labelledby="dup-title">
      <h2 id="dup-title">{t('c.duplicates')}</h2>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {dups === null ? <Spinner /> : dups.length === 0 ? <p class="empty">{t('c.no_duplicates')}</p> : (
        <ul class="dups">
          {dups.map((d) => (
            <li>
              <a href={`#/customers/${d.customer.id}`}>{d.customer.local_name || d.customer.name}</a>
              {' '}<span class="badge">{t('c.score', { score: d.score })}</span>
              {' '}<span class="muted">{t('c.reasons', { reasons: d.reasons.map((r) => fieldLabel(s.locale, r)).join(', ') })}</span>
              {canMerge && <button type="button" onClick={() => merge(d.customer)}>{t('c.merge')}</button>}
            </li>
          ))}
        </ul>
      )}
      {merges.length > 0 && (
        <>
          <h3>{t('c.merges')}</h3>
          <ul class="dups">
            {merges.map((m) => (
              <li>#{m.duplicate_id} · {formatDateTime(m.at, s.locale, s.tz)}
                {canMerge && <button type="button" onClick={() => undo(m)}>{t('c.undo')}</button>}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
