// The customer list: one page at a time through the API's keyset cursors
// (a stack of cursors for "previous"), columns chosen per user (kept on the
// server), filters on any field (custom fields too), sort on the sortable
// fields with the UI language as `locale` (pinyin, strokes or alphabet for
// names); saved views, rows selected by hand or "all that match" for bulk
// actions, and the export of the list or the selection.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, qs } from '../api';
import { t, getState, useStore, listColumns, setListColumns, can } from '../state';
import { visibleColumns } from '../prefs';
import { FILTER_OPS, filterParam, formatNumber, isMasked, type Filter } from '../format';
import { fieldLabel } from '../i18n';
import { ErrorBox, Spinner, showValue, type FieldMeta } from '../ui';
import {
  defaultView, isSelected, MAX_HAND_PICKED, NO_SELECTION, pageState, selectedCount, selectionBody, selectRows,
  stateFromView, type ListState, type SavedView, type Selection,
} from '../listState';
import { SavedViews } from './SavedViews';
import { BulkActions } from './BulkActions';
import { ExportPanel } from './ExportPanel';

const DEFAULT_COLS = ['name', 'local_name', 'city', 'relationship_type', 'updated_at'];
const ALWAYS_SORTABLE = ['id', 'created_at', 'updated_at'];
const PAGE = 50;
const LINKED = new Set(['name', 'local_name']); // cells that open the record

let fieldsCache: FieldMeta[] | null = null;
export async function customerFields(refresh = false): Promise<FieldMeta[]> {
  if (!fieldsCache || refresh) {
    const r = await get<{ data: FieldMeta[] }>('/api/v1/meta/entities/customers/fields');
    fieldsCache = [
      { name: 'id', type: 'integer', label: 'ID', required: false, indexed: true, searchable: false, personal: false, custom: false },
      ...r.data,
      { name: 'created_at', type: 'datetime', label: 'Created', required: false, indexed: true, searchable: false, personal: false, custom: false },
      { name: 'updated_at', type: 'datetime', label: 'Updated', required: false, indexed: true, searchable: false, personal: false, custom: false },
    ];
  }
  return fieldsCache;
}

export function CustomerList() {
  const s = useStore();
  const defaults: ListState = { filters: [], q: '', sort: 'name', columns: visibleColumns(listColumns('customers'), null, DEFAULT_COLS) };
  const [fields, setFields] = useState<FieldMeta[] | null>(null);
  const [cols, setCols] = useState<string[]>(defaults.columns);
  const [filters, setFilters] = useState<Filter[]>([]);
  const [draft, setDraft] = useState<Filter[]>([]);
  const [q, setQ] = useState('');
  const [sort, setSort] = useState('name');
  const [cursors, setCursors] = useState<(string | null)[]>([null]); // cursor of each page seen
  const [rows, setRows] = useState<any[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [showCols, setShowCols] = useState(false);
  const [reload, setReload] = useState(0);
  const [views, setViews] = useState<SavedView[] | null>(null);
  const [view, setView] = useState<SavedView | null>(null);
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [selNote, setSelNote] = useState<string | null>(null);
  const [counting, setCounting] = useState(false);
  const [showExport, setShowExport] = useState(false);
  const mayUpdate = can('customers', 'update');
  const mayExport = can('customers', 'export');
  const selectable = mayUpdate || mayExport;

  // the fields and the user's saved views first: the default view decides
  // the first page
  useEffect(() => {
    customerFields().then(setFields, setError);
    get<{ data: SavedView[] }>('/api/v1/views' + qs({ entity: 'customers' }))
      .then((r) => {
        const d = defaultView(r.data);
        if (d) apply(stateFromView(d, defaults));
        setView(d);
        setViews(r.data);
      }, () => setViews([]));
  }, []);

  // a saved column may name a custom field removed since: leave it out
  const known = fields ? new Set(fields.map((f) => f.name)) : null;
  const shown = visibleColumns(cols, known, DEFAULT_COLS);
  const state: ListState = { filters, q, sort, columns: shown };

  const page = cursors.length - 1;
  useEffect(() => {
    if (!fields || views === null) return;
    const ctl = new AbortController();
    setRows(null);
    const params = {
      limit: PAGE, sort, locale: s.locale, q: q.trim() || undefined,
      filter: filters.map(filterParam), cursor: cursors[page] || undefined,
      fields: Array.from(new Set(['id', 'name', ...shown])).join(','),
    };
    get<{ data: any[]; next_cursor: string | null }>('/api/v1/customers' + qs(params), { signal: ctl.signal })
      .then((r) => { setRows(r.data); setNext(r.next_cursor); setError(null); })
      .catch((e) => { if (e?.name !== 'AbortError') { setError(e); setRows([]); setNext(null); } });
    return () => ctl.abort();
  }, [fields, views === null, sort, s.locale, filters, q, cursors, shown.join(','), reload]);

  const restart = () => setCursors([null]);
  /** Other records: the selection and its notes start again. */
  const reselect = () => { setSelection(NO_SELECTION); setSelNote(null); };
  const byName = new Map((fields || []).map((f) => [f.name, f]));
  const sortable = (name: string) => ALWAYS_SORTABLE.includes(name) || !!byName.get(name)?.indexed;
  const label = (name: string) => fieldLabel(getState().locale, name, byName.get(name)?.label);

  function apply(ls: ListState) {
    setFilters(ls.filters);
    setDraft(ls.filters);
    setQ(ls.q);
    setSort(ls.sort);
    setCols(ls.columns);
    restart();
    reselect();
  }

  function pickView(v: SavedView | null) {
    setView(v);
    apply(v ? stateFromView(v, defaults) : defaults);
  }

  function toggleSort(name: string) {
    setSort(sort === name ? '-' + name : name);
    restart();
  }

  function toggleCol(name: string, on: boolean) {
    const c = on ? [...shown, name] : shown.filter((x) => x !== name);
    setCols(c);
    setListColumns('customers', c);
  }

  function applyFilters(e: Event) {
    e.preventDefault();
    setFilters(draft.filter((f) => f.field && f.op && (f.value !== '' || f.op === 'null')));
    restart();
    reselect();
  }

  function pick(ids: number[], on: boolean) {
    const sel = selectRows(selection, ids, on);
    setSelection(sel);
    setSelNote(on && !selection.all && selection.ids.length + ids.length > MAX_HAND_PICKED
      ? t('sel.max', { max: formatNumber(MAX_HAND_PICKED, s.locale) }) : null);
  }

  /** "All that match": the server counts them (at most its bound). */
  async function selectAll() {
    setCounting(true); setSelNote(null);
    try {
      const r = await post<{ total: number; max: number }>('/api/v1/customers/bulk', { dry_run: true, ...selectionBody({ all: true, total: 0 }, state) });
      if (r.total > r.max) setSelNote(t('sel.too_many', { max: formatNumber(r.max, s.locale) }));
      else setSelection({ all: true, total: r.total });
    } catch (e) { setError(e); } finally { setCounting(false); }
  }

  const sortField = sort.replace(/^-/, '');
  const pageIds = (rows || []).map((r) => r.id as number);
  const count = selectedCount(selection);
  const masked = (rows || []).some((r) => Object.values(r).some(isMasked));
  return (
    <section aria-labelledby="list-title">
      <div class="bar">
        <h1 id="list-title">{t('list.title')}</h1>
        <label class="inline">{t('list.quick')}
          <input type="search" name="q" value={q} onInput={(e) => { setQ((e.target as HTMLInputElement).value); restart(); reselect(); }} />
        </label>
        <button type="button" aria-expanded={showCols} aria-controls="col-chooser" onClick={() => setShowCols(!showCols)}>{t('list.columns')}</button>
        {mayExport && <button type="button" aria-expanded={showExport} onClick={() => setShowExport(!showExport)}>{t('exp.open')}</button>}
      </div>
      {views && (
        <SavedViews entity="customers" views={views} current={view} state={state} defaults={defaults}
          onViews={setViews} onPick={pickView} />
      )}
      {showCols && fields && (
        <fieldset id="col-chooser" class="card cols">
          <legend>{t('list.columns')}</legend>
          {fields.map((f) => (
            <label class="check"><input type="checkbox" name={'col-' + f.name} checked={shown.includes(f.name)}
              onChange={(e) => toggleCol(f.name, (e.target as HTMLInputElement).checked)} /> {label(f.name)}</label>
          ))}
        </fieldset>
      )}
      <form class="card filters" onSubmit={applyFilters} aria-label={t('list.filters')}>
        {draft.map((f, i) => (
          <div class="filter-row">
            <span class="lbl"><label for={`ff-${i}`}>{t('list.field')}</label>
              <select id={`ff-${i}`} name={`ff-${i}`} value={f.field} onChange={(e) => { const d = [...draft]; d[i] = { ...f, field: (e.target as HTMLSelectElement).value }; setDraft(d); }}>
                {(fields || []).map((x) => <option value={x.name}>{label(x.name)}</option>)}
              </select></span>
            <span class="lbl"><label for={`fo-${i}`}>{t('list.op')}</label>
              <select id={`fo-${i}`} name={`fo-${i}`} value={f.op} onChange={(e) => { const d = [...draft]; d[i] = { ...f, op: (e.target as HTMLSelectElement).value }; setDraft(d); }}>
                {FILTER_OPS.map((o) => <option value={o}>{t('op.' + o)}</option>)}
              </select></span>
            <span class="lbl"><label for={`fv-${i}`}>{t('list.value')}</label>
              <FilterValue meta={byName.get(f.field)} value={f.value} name={`fv-${i}`}
                onChange={(v) => { const d = [...draft]; d[i] = { ...f, value: v }; setDraft(d); }} /></span>
            <button type="button" class="quiet" aria-label={t('list.remove_filter')} onClick={() => setDraft(draft.filter((_, k) => k !== i))}>✕</button>
          </div>
        ))}
        <div class="actions">
          <button type="button" onClick={() => setDraft([...draft, { field: 'city', op: 'eq', value: '' }])}>{t('list.add_filter')}</button>
          <button type="submit" class="primary">{t('list.apply')}</button>
          {filters.length > 0 && <button type="button" class="quiet" onClick={() => { setDraft([]); setFilters([]); restart(); reselect(); }}>{t('list.clear')}</button>}
        </div>
      </form>
      {showExport && (
        <ExportPanel entity="customers" state={state} selection={selection} masked={masked} onClose={() => setShowExport(false)} />
      )}
      {selectable && (count > 0 || selNote) && (
        <div class="selection card" role="group" aria-label={t('sel.count', { count: formatNumber(count, s.locale) })}>
          <p role="status">{selection.all ? t('sel.all_selected', { count: formatNumber(count, s.locale) })
            : t('sel.count', { count: formatNumber(count, s.locale) })}</p>
          {!selection.all && count > 0 && (
            <button type="button" disabled={counting} onClick={selectAll}>{counting ? t('sel.counting') : t('sel.all_matching')}</button>
          )}
          {count > 0 && <button type="button" class="quiet" onClick={reselect}>{t('sel.clear')}</button>}
          {selNote && <p class="alert error" role="alert">{selNote}</p>}
        </div>
      )}
      {mayUpdate && count > 0 && (
        <BulkActions entity="customers" selection={selection} state={state} onFinished={() => setReload((n) => n + 1)} />
      )}
      <ErrorBox error={error} onRetry={() => setReload(reload + 1)} />
      {!fields || rows === null ? <Spinner /> : (
        <>
          <div class="table-wrap">
            <table class="grid">
              <caption class="sr-only">{t('list.title')} — {t('list.page', { n: page + 1 })}</caption>
              <thead><tr>
                {selectable && (
                  <th scope="col" class="pick"><PageBox state={pageState(selection, pageIds)} label={t('sel.page')}
                    onChange={(on) => pick(pageIds, on)} /></th>
                )}
                {shown.map((c) => (
                  <th scope="col" aria-sort={sortField === c ? (sort.startsWith('-') ? 'descending' : 'ascending') : undefined}>
                    {sortable(c) ? (
                      <button type="button" class="th" onClick={() => toggleSort(c)} aria-label={t('list.sort_by', { field: label(c) })}>
                        {label(c)}{sortField === c ? (sort.startsWith('-') ? ' ▼' : ' ▲') : ''}
                      </button>
                    ) : label(c)}
                  </th>
                ))}
              </tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr class={selectable && isSelected(selection, r.id) ? 'picked' : undefined}>
                    {selectable && (
                      <td class="pick"><input type="checkbox" name={`pick-${r.id}`} checked={isSelected(selection, r.id)}
                        aria-label={t('sel.row', { name: r.name || `#${r.id}` })}
                        onChange={(e) => pick([r.id], (e.target as HTMLInputElement).checked)} /></td>
                    )}
                    {shown.map((c, i) => (
                      <td>{i === 0 || LINKED.has(c) ? (r[c] || i === 0) && <a href={`#/customers/${r.id}`}>{showValue(byName.get(c), r[c]) || `#${r.id}`}</a> : showValue(byName.get(c), r[c])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length === 0 && <p class="empty">{t('list.empty')}</p>}
          <nav class="pager" aria-label={t('list.page', { n: page + 1 })}>
            <button type="button" disabled={page === 0} onClick={() => setCursors(cursors.slice(0, -1))}>{t('list.prev')}</button>
            <span>{t('list.page', { n: page + 1 })} · {t('list.rows', { count: rows.length })}</span>
            <button type="button" disabled={!next} onClick={() => setCursors([...cursors, next])}>{t('list.next')}</button>
          </nav>
        </>
      )}
    </section>
  );
}

/** The header checkbox of a page: checked, unchecked or in between. */
function PageBox({ state, label, onChange }: { state: 'all' | 'some' | 'none'; label: string; onChange: (on: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => { if (ref.current) ref.current.indeterminate = state === 'some'; }, [state]);
  return <input ref={ref} type="checkbox" name="pick-page" checked={state === 'all'} aria-label={label}
    onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />;
}

function FilterValue({ meta, value, name, onChange }: { meta?: FieldMeta; value: string; name: string; onChange: (v: string) => void }) {
  if (meta?.values) {
    return (
      <select id={name} name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value=""></option>
        {meta.values.map((v) => <option value={v}>{showValue(meta, v)}</option>)}
      </select>
    );
  }
  const type = meta?.type === 'date' ? 'date' : meta?.type === 'integer' || meta?.type === 'number' ? 'number' : 'text';
  return <input id={name} name={name} type={type} value={value} onInput={(e) => onChange((e.target as HTMLInputElement).value)} />;
}
