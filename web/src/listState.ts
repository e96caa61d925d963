// The state of a list screen as data, and what the server is asked from it:
// saved views (/api/v1/views) to and from the state, the selection of rows
// (by hand, or "all N matching"), the body of a bulk action
// (/api/v1/{entity}/bulk) and the query of an export (/api/v1/{entity}/export).
// Pure: Vitest tests it; the screens hold the state.
import { filterParam, parseFilterParam, type Filter } from './format';

export interface ListState { filters: Filter[]; q: string; sort: string; columns: string[] }

export interface SavedView {
  id: number; name: string; entity: string; filters: string[]; q: string | null; sort: string | null;
  columns: string[]; is_default: boolean; version: number;
}

/** The list a saved view shows (what it leaves out, from the defaults). */
export function stateFromView(v: SavedView, defaults: ListState): ListState {
  return {
    filters: v.filters.map(parseFilterParam).filter((f): f is Filter => f !== null),
    q: v.q || '',
    sort: v.sort || defaults.sort,
    columns: v.columns.length ? [...v.columns] : [...defaults.columns],
  };
}

/** The body that saves the state as a view (name and default aside). */
export function viewBody(s: ListState): Pick<SavedView, 'filters' | 'q' | 'sort' | 'columns'> {
  return { filters: s.filters.map(filterParam), q: s.q.trim() || null, sort: s.sort, columns: [...s.columns] };
}

/** Does the list show what the view saved? (else it is "changed") */
export function matchesView(s: ListState, v: SavedView | null | undefined, defaults: ListState): boolean {
  if (!v) return false;
  return JSON.stringify(viewBody(s)) === JSON.stringify(viewBody(stateFromView(v, defaults)));
}

/** The view a list opens with: the user's default for it, if any. */
export function defaultView(views: SavedView[]): SavedView | null {
  return views.find((v) => v.is_default) || null;
}

// ---- the selection ----

/** Rows chosen by hand (ids, across pages), or every record that matches
 *  the list's filters and q (total as the server counted it). */
export type Selection = { all: false; ids: number[] } | { all: true; total: number };

export const NO_SELECTION: Selection = { all: false, ids: [] };
/** Rows chosen by hand at most (the list's and the export's ids=). */
export const MAX_HAND_PICKED = 1000;

export function isSelected(sel: Selection, id: number): boolean {
  return sel.all || sel.ids.includes(id);
}

export function selectedCount(sel: Selection): number {
  return sel.all ? sel.total : sel.ids.length;
}

/** Choose or drop some rows (one, or a page); choosing from "all" starts
 *  again by hand. Never more than MAX_HAND_PICKED. */
export function selectRows(sel: Selection, ids: number[], on: boolean): Selection {
  const have = sel.all ? [] : sel.ids;
  if (!on) return { all: false, ids: have.filter((x) => !ids.includes(x)) };
  const more = ids.filter((x) => !have.includes(x));
  return { all: false, ids: [...have, ...more].slice(0, MAX_HAND_PICKED) };
}

/** The header checkbox of a page: all of its rows chosen, some, or none. */
export function pageState(sel: Selection, pageIds: number[]): 'all' | 'some' | 'none' {
  if (pageIds.length === 0) return 'none';
  const n = pageIds.filter((id) => isSelected(sel, id)).length;
  return n === pageIds.length ? 'all' : n ? 'some' : 'none';
}

/** The records of a request: the ids chosen, or the list's filters and q. */
export function selectionBody(sel: Selection, s: ListState): { ids: number[] } | { filters: string[]; q?: string } {
  if (!sel.all) return { ids: [...sel.ids] };
  const q = s.q.trim();
  return q ? { filters: s.filters.map(filterParam), q } : { filters: s.filters.map(filterParam) };
}

export type BulkAction = 'assign_owner' | 'add_tag' | 'remove_tag';

export function bulkBody(action: BulkAction, value: string | number, sel: Selection, s: ListState) {
  return { action, value: action === 'assign_owner' ? Number(value) : String(value).trim(), ...selectionBody(sel, s) };
}

/** Is the value of a bulk action one the server can take? */
export function bulkValueOk(action: BulkAction, value: string | number): boolean {
  if (action === 'assign_owner') return Number.isInteger(Number(value)) && Number(value) > 0;
  const t = String(value).trim();
  return t.length > 0 && [...t].length <= 50 && !/[\u0000-\u001f]/.test(t);
}

// ---- export ----

export type ExportFormat = 'csv' | 'xlsx' | 'vcard';
export type ExportEncoding = 'utf-8' | 'utf-8-nobom' | 'gb18030' | 'big5';

export interface ExportChoice {
  format: ExportFormat;
  encoding: ExportEncoding; // CSV only
  columns: 'shown' | 'all';
  scope: 'list' | 'selection';
}

/** The query of GET /api/v1/{entity}/export for a choice: the list's
 *  filters and q, or the selection; the columns shown or every field. */
export function exportParams(c: ExportChoice, sel: Selection, s: ListState, locale: string) {
  const p: Record<string, string | string[]> = { format: c.format, sort: s.sort, locale };
  if (c.format === 'csv') {
    if (c.encoding === 'gb18030' || c.encoding === 'big5') p.encoding = c.encoding;
    if (c.encoding === 'utf-8-nobom') p.bom = 'false';
  }
  if (c.format !== 'vcard' && c.columns === 'shown') p.fields = s.columns.filter((x) => x !== 'id').join(',');
  const useIds = c.scope === 'selection' && !sel.all && sel.ids.length > 0;
  if (useIds) {
    p.ids = sel.ids.join(',');
  } else {
    p.filter = s.filters.map(filterParam);
    if (s.q.trim()) p.q = s.q.trim();
  }
  return p;
}

/** The name of the file to save. */
export function exportFileName(entity: string, format: ExportFormat, date: Date): string {
  const d = date.toISOString().slice(0, 10);
  return `${entity}-${d}.${format === 'vcard' ? 'vcf' : format}`;
}
