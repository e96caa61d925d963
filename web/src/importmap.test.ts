// The import screen's column mapping.
import { expect, test } from 'vitest';
import { buildMap, clashes, faultyCells, multipart, outcomeCounts, targets, type Preview, type PreviewRow } from './importmap';

const preview: Preview = {
  entity: 'customers', encoding: 'Big5', total: 3, map: {},
  columns: [
    { index: 0, header: '姓名', suggested: 'name', field: 'name' },
    { index: 1, header: '電郵', suggested: 'email', field: 'email' },
    { index: 2, header: '備考', suggested: null, field: null },
  ],
  rows: [
    { line: 2, outcome: 'create', values: {}, cells: ['王小明', 'w@example.cn', ''] },
    { line: 3, outcome: 'reject', reason: '1 field is invalid (email: not an e-mail address)', fields: { email: 'not an e-mail address' }, values: {}, cells: ['陳大文', 'x', ''] },
    { line: 4, outcome: 'skip', values: {}, cells: ['Li Na', 'l@example.cn', ''] },
  ],
};

test('the map: the preview\'s columns, the user\'s choices over them ("" leaves a column out)', () => {
  expect(buildMap(preview, {})).toEqual({ 姓名: 'name', 電郵: 'email', 備考: null });
  expect(buildMap(preview, { 備考: 'notes', 電郵: '' })).toEqual({ 姓名: 'name', 電郵: null, 備考: 'notes' });
  expect(buildMap(null, { 姓名: 'name' })).toEqual({ 姓名: 'name' });
});

test('two columns sent to one field are named', () => {
  expect(clashes({ 姓名: 'name', 名稱: 'name', 電郵: 'email', 備考: null })).toEqual({ name: ['姓名', '名稱'] });
  expect(clashes(buildMap(preview, {}))).toEqual({});
});

test('the targets a column may choose: fields an import takes, then identifier kinds', () => {
  expect(targets(['id', 'name', 'email', 'created_at', 'updated_at', 'vip_level'])).toEqual(
    ['id', 'name', 'email', 'vip_level', 'member_card', 'policy_no', 'plate', 'national_id', 'external_id']);
});

test('rows per outcome, and the cells at fault in a rejected row', () => {
  expect(outcomeCounts(preview.rows)).toEqual({ create: 1, update: 0, skip: 1, reject: 1 });
  expect([...faultyCells(preview.rows[1], preview.columns)]).toEqual([1]);
  expect([...faultyCells(preview.rows[0], preview.columns)]).toEqual([]);
  const noFields: PreviewRow = { ...preview.rows[1], fields: null };
  expect([...faultyCells(noFields, preview.columns)]).toEqual([]);
});

test('the multipart body: the map, then the file, as RFC 7578 parts', async () => {
  const file = new Blob(['姓名\n王小明\n']);
  const { body, type } = multipart(file, 'a"b.csv', { 姓名: 'name', 備考: null }, 'BOUND');
  expect(type).toBe('multipart/form-data; boundary=BOUND');
  const text = await body.text();
  expect(text).toBe('--BOUND\r\nContent-Disposition: form-data; name="map"\r\nContent-Type: application/json\r\n\r\n' +
    '{"姓名":"name","備考":null}\r\n' +
    '--BOUND\r\nContent-Disposition: form-data; name="file"; filename="a_b.csv"\r\nContent-Type: text/csv\r\n\r\n' +
    '姓名\n王小明\n\r\n--BOUND--\r\n');
  const noMap = await multipart(file, 'x.csv', null, 'B').body.text();
  expect(noMap.startsWith('--B\r\nContent-Disposition: form-data; name="file"')).toBe(true);
  // a boundary of its own each time
  expect(multipart(file, 'x.csv', null).type).not.toBe(multipart(file, 'x.csv', null).type);
});
