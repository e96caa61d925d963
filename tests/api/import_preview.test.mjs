// POST /api/v1/imports/preview: the columns of a file with the field each
// names (Chinese headers too), the map to import with, the encoding, and
// what the import would do to the first rows (create, update, skip, or
// reject with the reason) — with nothing written, not even a failed row's
// trace. Then the import with that map does what the preview said.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, assertError, assertStatus, snapshot, sleep, SLOW } from './lib/server.mjs';

let srv, root, sam, mark;
before(async () => {
  srv = await startServer({ users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales' }, { name: 'mark', role: 'marketing' }] });
  [root, sam, mark] = ['root', 'sam', 'mark'].map((n) => srv.api(n));
  assertStatus(await root.post('/api/v1/customers', { name: '舊客戶', email: 'old@example.com', city: '台北' }), 201);
});
after(async () => srv && srv.close());

const iconv = (text, to) => execFileSync('iconv', ['-f', 'UTF-8', '-t', to], { input: Buffer.from(text, 'utf8') });

function preview(api, query, body, type = 'text/csv') {
  return api.call('POST', `/api/v1/imports/preview?${new URLSearchParams(query)}`, { raw: body, headers: { 'content-type': type } });
}

function form(file, map, name = 'x.csv') {
  const f = new FormData();
  f.append('file', new Blob([file]), name);
  if (map) f.append('map', JSON.stringify(map));
  return f;
}

async function postForm(api, path, f) {
  const res = await fetch(srv.url + path, { method: 'POST', body: f, headers: { authorization: `Bearer ${srv.users[api].token}` } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function waitImport(id) {
  for (let i = 0; i < 200 * SLOW; i++) {
    const r = await root.get(`/api/v1/imports/${id}`);
    if (!['queued', 'running'].includes(r.json.status)) return r.json;
    await sleep(50);
  }
  throw new Error('import did not finish');
}

const CSV = '\ufeff姓名,電話,电子邮件,城市,備考\n' +
  '王小明,+86 138 0013 8000,wang@example.cn,广州,老客戶介紹\n' +
  '陳大文,(852) 9123 4567,not-an-email,香港,\n' +
  'Li Na,021-5555 0101,old@example.com,上海,\n' +
  ',02 2345 6789,noname@example.tw,台北,\n';

test('Chinese headers are suggested, unknown ones left out; bad rows flagged as the import would; nothing written', async () => {
  const before = await snapshot(root);
  const imports = (await root.get('/api/v1/audit?action=create&entity=customers')).json.data.length;
  const r = await preview(sam, { entity: 'customers' }, CSV);
  assertStatus(r, 200);
  const p = r.json;
  assert.equal(p.entity, 'customers');
  assert.equal(p.encoding, 'UTF-8');
  assert.equal(p.total, 4);
  assert.deepEqual(p.columns.map((c) => [c.header, c.suggested, c.field]), [
    ['姓名', 'name', 'name'], ['電話', 'phone', 'phone'], ['电子邮件', 'email', 'email'], ['城市', 'city', 'city'], ['備考', null, null],
  ]);
  assert.deepEqual(p.map, { 姓名: 'name', 電話: 'phone', 电子邮件: 'email', 城市: 'city', 備考: null });
  assert.deepEqual(p.rows.map((x) => [x.line, x.outcome]), [[2, 'create'], [3, 'reject'], [4, 'reject'], [5, 'reject']]);
  assert.deepEqual(p.rows[0].cells, ['王小明', '+86 138 0013 8000', 'wang@example.cn', '广州', '老客戶介紹']);
  assert.equal(p.rows[0].values.name, '王小明');
  assert.equal(p.rows[0].values['備考'], undefined, 'an ignored column is not a value');
  assert.match(p.rows[1].reason, /email/);
  assert.equal(typeof p.rows[1].fields.email, 'string');
  // the e-mail another customer holds: a conflict, as the import would say
  assert.match(p.rows[2].reason, /old@example.com|already/);
  assert.equal(typeof p.rows[3].fields.name, 'string');
  assert.deepEqual(await snapshot(root), before, 'a preview writes nothing');
  assert.equal((await root.get('/api/v1/audit?action=create&entity=customers')).json.data.length, imports);
  assert.equal((await root.get('/api/v1/search?q=王小明')).json.data.length, 0, 'nor the search index');
  assert.equal((await root.get('/api/v1/customer_identifiers?filter=value:eq:wang@example.cn')).json.data.length, 0);
});

test('the rows see each other as the import would: the same e-mail twice in one file', async () => {
  const r = await preview(root, { entity: 'customers' }, 'name,email\n甲,twice@example.com\n乙,twice@example.com\n');
  assertStatus(r, 200);
  assert.deepEqual(r.json.rows.map((x) => x.outcome), ['create', 'reject']);
  assert.match(r.json.rows[1].reason, /twice@example.com/);
});

test('a map chooses the columns; the import with the preview\'s map does what it said', async () => {
  const map = { 備考: 'notes', 電話: 'mobile' };
  const r = await postForm('sam', '/api/v1/imports/preview?entity=customers', form(CSV, map));
  assertStatus(r, 200);
  assert.deepEqual(r.json.columns.map((c) => [c.suggested, c.field]),
    [['name', 'name'], ['phone', 'mobile'], ['email', 'email'], ['city', 'city'], [null, 'notes']]);
  assert.equal(r.json.rows[0].values.notes, '老客戶介紹');
  assert.equal(r.json.rows[0].values.mobile, '+86 138 0013 8000');
  const run = await postForm('sam', '/api/v1/imports?entity=customers', form(CSV, r.json.map));
  assertStatus(run, 202);
  const done = await waitImport(run.json.id);
  assert.equal(done.created, 1);
  assert.deepEqual(done.errors.map((e) => e.line), r.json.rows.filter((x) => x.outcome === 'reject').map((x) => x.line));
  const c = (await root.get('/api/v1/customers?filter=name:eq:王小明')).json.data[0];
  assert.equal(c.notes, '老客戶介紹');
  assert.equal(c.mobile, '+86 138 0013 8000');
  // now the same file matched by e-mail: the first row would be skipped or updated
  const again = await preview(root, { entity: 'customers', key: 'email', on_match: 'update', map: JSON.stringify(map) }, CSV);
  assertStatus(again, 200);
  assert.equal(again.json.rows[0].outcome, 'skip', 'matched, and nothing would change');
  assert.equal(again.json.rows[2].outcome, 'update', 'the e-mail held by 舊客戶 now matches it');
  const moved = await preview(root, { entity: 'customers', key: 'email', on_match: 'update', map: JSON.stringify(map) }, CSV.replace('广州', '深圳'));
  assert.equal(moved.json.rows[0].outcome, 'update');
  assert.equal((await root.get('/api/v1/customers?filter=name:eq:王小明')).json.data[0].city, '广州', 'still not written');
  const skip = await preview(root, { entity: 'customers', key: 'email' }, CSV);
  assert.equal(skip.json.rows[0].outcome, 'skip');
});

test('Big5 and GB18030 files are detected and their headers read', async () => {
  const big5 = await preview(root, { entity: 'customers' }, iconv('姓名,手機,會員卡號\n鄭家豪,0912 345 678,MC-88\n', 'BIG5'));
  assertStatus(big5, 200);
  assert.equal(big5.json.encoding, 'Big5');
  assert.deepEqual(big5.json.columns.map((c) => c.field), ['name', 'mobile', 'member_card']);
  assert.equal(big5.json.rows[0].values.member_card, 'MC-88');
  assert.equal(big5.json.rows[0].outcome, 'create');
  const gb = await preview(root, { entity: 'customers' }, iconv('客户名称,邮箱\n张伟,zhang@example.cn\n', 'GB18030'));
  assertStatus(gb, 200);
  assert.equal(gb.json.encoding, 'GB18030');
  assert.deepEqual(gb.json.columns.map((c) => c.field), ['name', 'email']);
});

test('columns that cannot be imported as mapped: a problem to fix, no rows', async () => {
  const twice = await preview(root, { entity: 'customers', map: JSON.stringify({ 城市: 'name' }) }, CSV);
  assertStatus(twice, 200);
  assert.match(twice.json.problem.message, /cannot be mapped/);
  assert.equal(typeof twice.json.problem.fields.name, 'string');
  assert.deepEqual(twice.json.rows, []);
  const bad = await preview(root, { entity: 'customers', map: JSON.stringify({ 備考: 'shoe_size' }) }, CSV);
  assertStatus(bad, 200);
  assert.match(bad.json.columns[4].error, /shoe_size is not a field/);
  assert.match(bad.json.problem.message, /shoe_size/);
  const key = await preview(root, { entity: 'customers', key: 'member_card' }, CSV);
  assert.match(key.json.problem.message, /business key member_card/);
  const wrongType = await preview(root, { entity: 'customers', map: JSON.stringify({ 備考: 42 }) }, CSV);
  assert.match(wrongType.json.columns[4].error, /must be a field's name or null/);
});

test('bad requests → 4xx; roles that may not import → 403; nothing written', async () => {
  const before = await snapshot(root);
  assertError(await preview(root, { entity: 'customers' }, ''), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers' }, '\n'), 422, 'validation_failed');
  assertError(await preview(root, { entity: 'customers' }, 'name,"city\nX,Y\n'), 422);
  assertError(await preview(root, { entity: 'nope' }, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, {}, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers', map: '{bad' }, 'name\nX\n'), 400, 'invalid_json');
  assertError(await preview(root, { entity: 'customers', map: '["name"]' }, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers', rows: '0' }, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers', rows: '101' }, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers', colour: 'red' }, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers', encoding: 'ebcdic' }, 'name\nX\n'), 400, 'bad_request');
  assertError(await preview(root, { entity: 'customers' }, '{"name":"X"}', 'application/json'), 415);
  assertError(await preview(mark, { entity: 'customers' }, 'name\nX\n'), 403, 'forbidden');
  assertError(await preview(mark, { entity: 'customers', on_match: 'update', key: 'email' }, 'name,email\nX,x@example.com\n'), 403, 'forbidden');
  assertError(await srv.api(null).call('POST', '/api/v1/imports/preview?entity=customers', { raw: 'name\nX\n', headers: { 'content-type': 'text/csv' } }), 401);
  // a header over the row limit, and a 2,000-character name: the row is rejected, not the request
  const long = await preview(root, { entity: 'customers' }, `name\n${'長'.repeat(2000)}\n`);
  assertStatus(long, 200);
  assert.equal(long.json.rows[0].outcome, 'reject');
  assert.equal(typeof long.json.rows[0].fields.name, 'string');
  // rows=1 previews one row, however long the file
  const one = await preview(root, { entity: 'customers', rows: '1' }, 'name\nA\nB\nC\n');
  assert.equal(one.json.rows.length, 1);
  assert.equal(one.json.total, 3);
  assert.deepEqual(await snapshot(root), before);
});
