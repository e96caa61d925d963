// The list's state as data: views, the selection, bulk bodies, export queries.
import { expect, test } from 'vitest';
import {
  bulkBody, bulkValueOk, defaultView, exportFileName, exportParams, isSelected, matchesView, MAX_HAND_PICKED,
  NO_SELECTION, pageState, selectedCount, selectionBody, selectRows, stateFromView, viewBody, type SavedView,
} from './listState';

const defaults = { filters: [], q: '', sort: 'name', columns: ['name', 'city'] };
const view: SavedView = {
  id: 3, name: '台北 VIP', entity: 'customers', filters: ['city:eq:台北', 'tags:contains:vip', 'notes:contains:a:b'],
  q: null, sort: '-updated_at', columns: ['name', 'local_name'], is_default: true, version: 1,
};

test('a view becomes the list state, and the state saves back as the same view', () => {
  const s = stateFromView(view, defaults);
  expect(s.filters).toEqual([
    { field: 'city', op: 'eq', value: '台北' }, { field: 'tags', op: 'contains', value: 'vip' },
    { field: 'notes', op: 'contains', value: 'a:b' },
  ]);
  expect(s.sort).toBe('-updated_at');
  expect(viewBody(s)).toEqual({ filters: view.filters, q: null, sort: '-updated_at', columns: ['name', 'local_name'] });
  expect(matchesView(s, view, defaults)).toBe(true);
  expect(matchesView({ ...s, q: '王' }, view, defaults)).toBe(false);
  expect(matchesView(s, null, defaults)).toBe(false);
});

test('what a view leaves out comes from the defaults', () => {
  const s = stateFromView({ ...view, filters: [], sort: null, columns: [] }, defaults);
  expect(s).toEqual({ filters: [], q: '', sort: 'name', columns: ['name', 'city'] });
  expect(viewBody({ ...s, q: '  ' }).q).toBeNull();
});

test('the default view is the one marked', () => {
  expect(defaultView([{ ...view, is_default: false }, { ...view, id: 4, is_default: true }])?.id).toBe(4);
  expect(defaultView([{ ...view, is_default: false }])).toBeNull();
});

test('choosing rows by hand, by page, and all matching', () => {
  let sel = selectRows(NO_SELECTION, [1], true);
  sel = selectRows(sel, [2, 3, 1], true);
  expect(sel).toEqual({ all: false, ids: [1, 2, 3] });
  expect(pageState(sel, [1, 2, 3])).toBe('all');
  expect(pageState(sel, [3, 4])).toBe('some');
  expect(pageState(sel, [5])).toBe('none');
  expect(pageState(sel, [])).toBe('none');
  sel = selectRows(sel, [2], false);
  expect(sel).toEqual({ all: false, ids: [1, 3] });
  expect(selectedCount(sel)).toBe(2);
  const all = { all: true as const, total: 1234 };
  expect(isSelected(all, 99)).toBe(true);
  expect(selectedCount(all)).toBe(1234);
  expect(selectRows(all, [7], false)).toEqual({ all: false, ids: [] });
  const many = selectRows(NO_SELECTION, Array.from({ length: 1200 }, (_, i) => i + 1), true);
  expect(selectedCount(many)).toBe(MAX_HAND_PICKED);
});

test('a bulk action names the rows chosen, or the list\'s filters and q', () => {
  const s = { filters: [{ field: 'city', op: 'eq', value: '台北' }], q: ' 王 ', sort: 'name', columns: ['name'] };
  expect(bulkBody('add_tag', ' VIP ', { all: false, ids: [4, 8] }, s)).toEqual({ action: 'add_tag', value: 'VIP', ids: [4, 8] });
  expect(bulkBody('assign_owner', '7', { all: true, total: 20 }, s)).toEqual({ action: 'assign_owner', value: 7, filters: ['city:eq:台北'], q: '王' });
  expect(selectionBody({ all: true, total: 1 }, { ...s, q: '' })).toEqual({ filters: ['city:eq:台北'] });
  expect(bulkValueOk('add_tag', '貴賓')).toBe(true);
  expect(bulkValueOk('add_tag', '  ')).toBe(false);
  expect(bulkValueOk('add_tag', '標'.repeat(51))).toBe(false);
  expect(bulkValueOk('add_tag', 'a\nb')).toBe(false);
  expect(bulkValueOk('assign_owner', '')).toBe(false);
  expect(bulkValueOk('assign_owner', 3)).toBe(true);
});

test('an export asks for the list or the selection, the columns shown or all, in the encoding chosen', () => {
  const s = { filters: [{ field: 'city', op: 'eq', value: '台北' }], q: '陳', sort: '-updated_at', columns: ['id', 'name', 'city'] };
  expect(exportParams({ format: 'csv', encoding: 'utf-8', columns: 'shown', scope: 'list' }, NO_SELECTION, s, 'zh-Hant'))
    .toEqual({ format: 'csv', sort: '-updated_at', locale: 'zh-Hant', fields: 'name,city', filter: ['city:eq:台北'], q: '陳' });
  expect(exportParams({ format: 'csv', encoding: 'big5', columns: 'all', scope: 'selection' }, { all: false, ids: [3, 1] }, s, 'en'))
    .toEqual({ format: 'csv', sort: '-updated_at', locale: 'en', encoding: 'big5', ids: '3,1' });
  expect(exportParams({ format: 'csv', encoding: 'utf-8-nobom', columns: 'all', scope: 'list' }, NO_SELECTION, { ...s, q: '' }, 'en'))
    .toEqual({ format: 'csv', sort: '-updated_at', locale: 'en', bom: 'false', filter: ['city:eq:台北'] });
  // "all matching" exports the list itself; vCards have no columns
  expect(exportParams({ format: 'vcard', encoding: 'gb18030', columns: 'shown', scope: 'selection' }, { all: true, total: 9 }, s, 'en'))
    .toEqual({ format: 'vcard', sort: '-updated_at', locale: 'en', filter: ['city:eq:台北'], q: '陳' });
  expect(exportFileName('customers', 'vcard', new Date('2026-11-23T10:00:00Z'))).toBe('customers-2026-11-23.vcf');
  expect(exportFileName('customers', 'xlsx', new Date('2026-11-23T10:00:00Z'))).toBe('customers-2026-11-23.xlsx');
});
