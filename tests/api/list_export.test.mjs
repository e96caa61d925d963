// Exporting what a list shows (GET /api/v1/{entity}/export with the list's
// filter, q, ids and fields) and lists of chosen ids (ids=): the export
// screen of the UI downloads the current filter, view and columns, or the
// rows selected. Within the caller's read and export scope, masked as the
// caller sees personal data; every other parameter is refused (400).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, mark;
const ids = {};

before(async () => {
  srv = await startServer({ teams: [{ name: 'north' }], users: [
    { name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
    { name: 'sue', role: 'sales', team: 'north' }, { name: 'mark', role: 'marketing' },
  ] });
  [root, sam, mark] = ['root', 'sam', 'mark'].map((n) => srv.api(n));
  const mk = async (who, body) => assertStatus(await srv.api(who).post('/api/v1/customers', body), 201).json.id;
  ids.a = await mk('sam', { name: '陳大文', local_name: '陳大文', city: '台北', email: 'chan@example.tw', tags: ['vip'] });
  ids.b = await mk('sam', { name: '王小明', city: '台北', phone: '+886 2 2345 6789' });
  ids.c = await mk('sam', { name: 'Li Na', local_name: '李娜', city: '上海', tags: ['vip'] });
  ids.d = await mk('sue', { name: '蘇小姐', city: '台北', email: 'sue.c@example.com' });
  ids.e = await mk('sam', { name: '張三', city: '广州' });
});
after(async () => srv && srv.close());

/** The CSV body as rows of cells (no quoting in these values). */
function rows(text) {
  return text.replace(/^\ufeff/, '').trim().split('\r\n').map((l) => l.split(','));
}

async function raw(who, path) {
  const r = await fetch(srv.url + path, { headers: { authorization: `Bearer ${srv.users[who].token}` } });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

test('the filter and the columns the list shows: only those records, id then those columns', async () => {
  const r = await sam.get('/api/v1/customers/export?format=csv&filter=city:eq:台北&fields=name,city,tags&sort=id');
  assertStatus(r, 200);
  assert.deepEqual(rows(r.text), [
    ['id', 'name', 'city', 'tags'],
    [String(ids.a), '陳大文', '台北', 'vip'],
    [String(ids.b), '王小明', '台北', ''],
  ], 'sue\'s 台北 customer is not sam\'s to export');
  const b = await raw('sam', '/api/v1/customers/export?filter=city:eq:台北&fields=name');
  assert.deepEqual([...b.bytes.subarray(0, 3)], [0xEF, 0xBB, 0xBF], 'UTF-8 with a BOM');
  const all = await root.get('/api/v1/customers/export?filter=city:eq:台北&filter=tags:contains:vip&fields=name');
  assert.deepEqual(rows(all.text), [['id', 'name'], [String(ids.a), '陳大文']]);
});

test('q and a sort by name in the caller\'s language, as in the list', async () => {
  const r = await root.get('/api/v1/customers/export?q=%E5%A4%A7%E6%96%87&fields=name');
  assert.deepEqual(rows(r.text).slice(1).map((x) => x[1]), ['陳大文']);
  const s = await root.get('/api/v1/customers/export?fields=name&sort=name&locale=zh-Hans&filter=city:in:台北,广州');
  assert.deepEqual(rows(s.text).slice(1).map((x) => x[1]), ['陳大文', '蘇小姐', '王小明', '張三'], 'pinyin: chen, su, wang, zhang');
});

test('a selection by ids: those records, only the ones the caller may see', async () => {
  const r = await sam.get(`/api/v1/customers/export?ids=${ids.c},${ids.a},${ids.d}&fields=name,local_name&sort=id`);
  assert.deepEqual(rows(r.text), [['id', 'name', 'local_name'], [String(ids.a), '陳大文', '陳大文'], [String(ids.c), 'Li Na', '李娜']]);
  const list = assertStatus(await sam.get(`/api/v1/customers?ids=${ids.c},${ids.a},${ids.d}&fields=name`), 200).json.data;
  assert.deepEqual(list.map((x) => x.id), [ids.a, ids.c], 'the list takes ids= too, within the read scope');
  const both = assertStatus(await root.get(`/api/v1/customers?ids=${ids.a},${ids.c},${ids.d}&filter=city:eq:台北`), 200).json.data;
  assert.deepEqual(both.map((x) => x.id), [ids.a, ids.d], 'ids and filters both hold');
});

test('GB18030 and Big5 with a filter; vCards of a selection', async () => {
  const g = await raw('root', '/api/v1/customers/export?encoding=gb18030&filter=city:eq:广州&fields=name,city');
  assert.equal(g.status, 200);
  assert.equal(new TextDecoder('gb18030').decode(g.bytes).trim(), `id,name,city\r\n${ids.e},張三,广州`);
  const b = await raw('root', `/api/v1/customers/export?encoding=big5&ids=${ids.a},${ids.d}&fields=name`);
  assert.equal(b.status, 200);
  assert.equal(new TextDecoder('big5').decode(b.bytes).trim(), `id,name\r\n${ids.a},陳大文\r\n${ids.d},蘇小姐`);
  const v = await root.get(`/api/v1/customers/export?format=vcard&ids=${ids.a},${ids.c}`);
  assertStatus(v, 200);
  assert.equal((v.text.match(/BEGIN:VCARD/g) || []).length, 2);
  assert.match(v.text, /FN:陳大文/);
  const x = await raw('root', '/api/v1/customers/export?format=xlsx&filter=city:eq:台北&fields=name,city');
  assert.equal(x.status, 200);
  assert.equal(x.bytes.subarray(0, 2).toString(), 'PK');
});

test('masked as the caller sees personal data; filters on it refused for such roles', async () => {
  assertStatus(await root.patch('/api/v1/roles/marketing', { entities: { customers: { export: 'all' } } }), 200);
  const r = await mark.get('/api/v1/customers/export?filter=city:eq:台北&fields=name,email&sort=id');
  assertStatus(r, 200);
  assert.ok(r.text.includes('c***@example.tw') && !r.text.includes('chan@example.tw'), r.text);
  assertError(await mark.get('/api/v1/customers/export?filter=email:contains:chan'), 403, 'forbidden');
});

test('bad parameters → 400 naming them; nothing exported or logged', async () => {
  const before = (await root.get('/api/v1/audit?action=export')).json.data.length;
  for (const q of ['filter=nope:eq:1', 'filter=city:zz:1', 'fields=name,nope', 'ids=1,,2', 'ids=abc', 'ids=0',
    `ids=${Array.from({ length: 1001 }, (_, i) => i + 1).join(',')}`, 'limit=5', 'cursor=abc', 'deleted=true',
    'colour=red', 'sort=notes', 'q=' + 'q'.repeat(201)]) {
    assertError(await root.get(`/api/v1/customers/export?${q}`), 400, 'bad_request');
  }
  for (const q of ['ids=1,,2', `ids=${Array.from({ length: 1001 }, (_, i) => i + 1).join(',')}`, 'ids=-3',
    'ids=', 'ids=1,', 'ids=,1', 'ids=+1', 'ids=1%202', 'ids=99999999999999999999']) {
    assertError(await root.get(`/api/v1/customers?${q}`), 400, 'bad_request');
  }
  assert.equal((await root.get('/api/v1/audit?action=export')).json.data.length, before);
});

test('the audit log names the records an export chose', async () => {
  await sam.get(`/api/v1/customers/export?filter=city:eq:台北&q=陳&ids=${ids.a}`);
  const ev = (await root.get('/api/v1/audit?action=export&user=sam&limit=1')).json.data[0];
  assert.deepEqual([ev.detail.filters, ev.detail.q, ev.detail.ids, ev.detail.records], [['city:eq:台北'], '陳', String(ids.a), 1]);
});
