// Saved views of the lists (/api/v1/views): a user's named filters, q, sort
// and columns per list, one default per list. Each user sees and changes
// only their own (another's id → 404); names are unique per user and list
// (409); a view holds only what the list accepts (the engine's own parser,
// with the owner's access: a masked role cannot save a filter on personal
// data); sizes and count are bounded; every change is audited; bad input
// writes nothing.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, request } from './lib/server.mjs';

let srv, alice, sam, mia;
const V = '/api/v1/views';

before(async () => {
  srv = await startServer({ teams: [{ name: 'north' }], users: [
    { name: 'alice', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' }, { name: 'mia', role: 'marketing' },
  ] });
  [alice, sam, mia] = ['alice', 'sam', 'mia'].map((n) => srv.api(n));
  for (const [name, city] of [['台北客戶甲', '台北'], ['广州客户乙', '广州'], ['Taipei Trading', '台北']]) {
    assertStatus(await sam.post('/api/v1/customers', { name, city, tags: ['vip'] }), 201);
  }
});
after(async () => srv && srv.close());

const taipei = { name: '台北 VIP', entity: 'customers', filters: ['city:eq:台北', 'tags:contains:vip'], q: null,
  sort: '-updated_at', columns: ['name', 'local_name', 'city', 'updated_at'] };

async function all(api) {
  return assertStatus(await api.get(V), 200).json.data;
}

test('save a view; read it back; the list it names gives the records it promised', async () => {
  const r = await sam.post(V, taipei);
  assertStatus(r, 201);
  assert.equal(r.headers.get('location'), `${V}/${r.json.id}`);
  const v = r.json;
  assert.deepEqual({ ...v, id: 0, created_at: 0, updated_at: 0 },
    { ...taipei, id: 0, is_default: false, version: 1, created_at: 0, updated_at: 0 });
  assert.deepEqual(assertStatus(await sam.get(`${V}/${v.id}`), 200).json, v);
  const q = new URLSearchParams([...v.filters.map((f) => ['filter', f]), ['sort', v.sort], ['fields', v.columns.join(',')]]);
  const list = assertStatus(await sam.get(`/api/v1/customers?${q}`), 200).json.data;
  assert.deepEqual(list.map((c) => c.name).sort(), ['Taipei Trading', '台北客戶甲']);
});

test('rename, change and mark as default: one default per list; versions count changes', async () => {
  const a = assertStatus(await sam.post(V, { name: '全部', entity: 'customers', is_default: true }), 201).json;
  const b = assertStatus(await sam.post(V, { name: '广州', entity: 'customers', filters: ['city:eq:广州'] }), 201).json;
  const c = assertStatus(await sam.post(V, { name: 'Contacts', entity: 'contacts', is_default: true }), 201).json;
  let r = assertStatus(await sam.patch(`${V}/${b.id}`, { name: '廣州客戶', is_default: true }), 200).json;
  assert.equal(r.name, '廣州客戶');
  assert.equal(r.version, 2);
  assert.deepEqual(r.filters, ['city:eq:广州'], 'a PATCH keeps what it does not name');
  const mine = await all(sam);
  const defaults = mine.filter((x) => x.is_default).map((x) => x.id).sort();
  assert.deepEqual(defaults, [b.id, c.id].sort(), 'the old default of customers is no longer; contacts keep theirs');
  assert.equal(mine.find((x) => x.id === a.id).is_default, false);
  // the list for one entity
  const contacts = assertStatus(await sam.get(`${V}?entity=contacts`), 200).json.data;
  assert.deepEqual(contacts.map((x) => x.id), [c.id]);
  r = assertStatus(await sam.patch(`${V}/${b.id}`, { filters: [], q: '广州', sort: null, columns: null }), 200).json;
  assert.deepEqual([r.filters, r.q, r.sort, r.columns], [[], '广州', null, []]);
});

test('delete: 204, then 404; the name is free again', async () => {
  const v = assertStatus(await sam.post(V, { name: 'temporary', entity: 'customers' }), 201).json;
  assertStatus(await sam.del(`${V}/${v.id}`), 204);
  assertError(await sam.get(`${V}/${v.id}`), 404, 'not_found');
  assertError(await sam.del(`${V}/${v.id}`), 404, 'not_found');
  assertError(await sam.patch(`${V}/${v.id}`, { name: 'x' }), 404, 'not_found');
  assertStatus(await sam.post(V, { name: 'temporary', entity: 'customers' }), 201);
});

test('names are unique per user and list: 409; the same name elsewhere is fine', async () => {
  assertError(await sam.post(V, { ...taipei }), 409, 'conflict');
  const other = assertStatus(await sam.post(V, { name: '全部 2', entity: 'customers' }), 201).json;
  assertError(await sam.patch(`${V}/${other.id}`, { name: '全部' }), 409, 'conflict');
  assertStatus(await sam.post(V, { name: '全部', entity: 'contacts' }), 201);
  assertStatus(await alice.post(V, { ...taipei }), 201);
  assert.equal((await sam.get(`${V}/${other.id}`)).json.name, '全部 2', 'a refused rename changed nothing');
});

test('each user sees and changes only their own: another user\'s id is 404, even for an admin', async () => {
  const samsView = (await all(sam))[0];
  const alicesBefore = await all(alice);
  assert.ok(!alicesBefore.some((x) => x.id === samsView.id));
  for (const who of [alice, mia]) {
    assertError(await who.get(`${V}/${samsView.id}`), 404, 'not_found');
    assertError(await who.patch(`${V}/${samsView.id}`, { name: 'hijacked' }), 404, 'not_found');
    assertError(await who.del(`${V}/${samsView.id}`), 404, 'not_found');
  }
  assert.deepEqual((await sam.get(`${V}/${samsView.id}`)).json, samsView);
  for (const id of ['0', '-1', 'abc', '99999999999999999999', '1.5']) assertError(await sam.get(`${V}/${id}`), 404);
});

test('a view holds only what the list accepts', async () => {
  const before = await all(sam);
  const bad = [
    [{ ...taipei, name: 'x1', filters: ['nope:eq:1'] }, ['filters']],
    [{ ...taipei, name: 'x2', filters: ['city:like:台'] }, ['filters']],
    [{ ...taipei, name: 'x3', filters: ['city'] }, ['filters']],
    [{ ...taipei, name: 'x4', filters: ['tags:lt:5'] }, ['filters']],
    [{ ...taipei, name: 'x5', filters: ['created_at:gt:yesterday'] }, ['filters']],
    [{ ...taipei, name: 'x6', filters: 'city:eq:台北' }, ['filters']],
    [{ ...taipei, name: 'x7', filters: [5] }, ['filters']],
    [{ ...taipei, name: 'x8', filters: Array(21).fill('city:eq:台北') }, ['filters']],
    [{ ...taipei, name: 'x9', filters: ['city:eq:' + '台'.repeat(1000)] }, ['filters']],
    [{ ...taipei, name: 'x10', sort: 'notes' }, ['sort']],
    [{ ...taipei, name: 'x11', sort: 'no_such' }, ['sort']],
    [{ ...taipei, name: 'x12', sort: 7 }, ['sort']],
    [{ ...taipei, name: 'x13', columns: ['name', 'password_hash'] }, ['columns']],
    [{ ...taipei, name: 'x14', columns: ['name', 'name'] }, ['columns']],
    [{ ...taipei, name: 'x15', columns: 'name' }, ['columns']],
    [{ ...taipei, name: 'x16', q: 'q'.repeat(201) }, ['q']],
    [{ ...taipei, name: 'x17', q: 42 }, ['q']],
    [{ ...taipei, name: 'x18', entity: 'no_such_list' }, ['entity']],
    [{ ...taipei, name: 'x19', entity: 7 }, ['entity']],
    [{ ...taipei, name: '' }, ['name']],
    [{ ...taipei, name: '名'.repeat(101) }, ['name']],
    [{ ...taipei, name: 'two\nlines' }, ['name']],
    [{ ...taipei, name: 12 }, ['name']],
    [{ ...taipei, name: 'x20', is_default: 'yes' }, ['is_default']],
    [{ ...taipei, name: 'x21', owner: 'sam' }, ['owner']],
    [{ ...taipei, name: 'x22', id: 5 }, ['id']],
    [{ entity: 'customers' }, ['name']],
    [{ name: 'no entity' }, ['entity']],
  ];
  for (const [body, fields] of bad) assertError(await sam.post(V, body), 422, 'validation_failed', fields);
  const v = before[0];
  assertError(await sam.patch(`${V}/${v.id}`, { filters: ['nope:eq:1'] }), 422, 'validation_failed', ['filters']);
  assertError(await sam.patch(`${V}/${v.id}`, { version: 9 }), 422, 'validation_failed', ['version']);
  for (const raw of ['{"name":', '[]', '"x"', '{"name":"a","name":"b","entity":"customers"}']) {
    assertError(await sam.call('POST', V, { raw }), 400);
    assertError(await sam.call('PATCH', `${V}/${v.id}`, { raw }), 400);
  }
  assertError(await sam.call('POST', V, { raw: '{}', headers: { 'content-type': 'text/plain' } }), 415);
  assertError(await sam.get(`${V}?entity=customers&bogus=1`), 400, 'bad_request');
  assert.deepEqual(await all(sam), before, 'nothing written');
});

test('a role that sees personal data masked cannot save a filter or sort on it; a list it may not read is 403', async () => {
  assertError(await mia.post(V, { name: 'by mail', entity: 'customers', filters: ['email:contains:example'] }), 422, 'validation_failed', ['filters']);
  assertError(await mia.post(V, { name: 'by phone', entity: 'customers', sort: 'phone' }), 422, 'validation_failed', ['sort']);
  assertStatus(await mia.post(V, { name: 'by city', entity: 'customers', filters: ['city:eq:台北'] }), 201);
  assertStatus(await sam.post(V, { name: 'by mail', entity: 'customers', filters: ['email:contains:example'] }), 201);
  // a role with no read of an entity (an override of the role table)
  assertStatus(await alice.patch('/api/v1/roles/marketing', { entities: { consents: { read: 'none' } } }), 200);
  assertError(await mia.post(V, { name: 'consents', entity: 'consents' }), 403, 'forbidden');
  assertStatus(await alice.patch('/api/v1/roles/marketing', { entities: { consents: { read: 'all' } } }), 200);
});

test('at most 100 views per user', async () => {
  const have = (await all(mia)).length;
  for (let i = have; i < 100; i++) assertStatus(await mia.post(V, { name: `v${i}`, entity: 'customers' }), 201);
  assertError(await mia.post(V, { name: 'one too many', entity: 'customers' }), 422, 'validation_failed', ['views']);
  assert.equal((await all(mia)).length, 100);
  const first = (await all(mia))[0];
  assertStatus(await mia.patch(`${V}/${first.id}`, { name: 'renaming is fine at the cap' }), 200);
});

test('no credentials → 401; the cookie needs its CSRF token', async () => {
  const anon = srv.api(null);
  assertError(await anon.get(V), 401, 'unauthorized');
  assertError(await anon.post(V, taipei), 401, 'unauthorized');
  assertError(await anon.del(`${V}/1`), 401, 'unauthorized');
  const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'sam', password: srv.users.sam.password } });
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('gx_session=')).split(';')[0];
  assertError(await request(srv.url, { cookie }, 'POST', V, { body: { name: 'no csrf', entity: 'customers' } }), 403, 'forbidden');
  assertStatus(await request(srv.url, { cookie, csrf: r.json.csrf_token }, 'POST', V, { body: { name: 'with csrf', entity: 'customers' } }), 201);
});

test('creating, changing and removing a view is in the audit log', async () => {
  const v = assertStatus(await sam.post(V, { name: '審計', entity: 'customers' }), 201).json;
  assertStatus(await sam.patch(`${V}/${v.id}`, { name: '审计' }), 200);
  assertStatus(await sam.del(`${V}/${v.id}`), 204);
  const log = assertStatus(await alice.get('/api/v1/audit?user=sam&limit=3'), 200).json.data;
  assert.deepEqual(log.map((x) => x.action), ['view_removed', 'view_changed', 'view_created']);
  assert.equal(log[1].detail.before.name, '審計');
  assert.equal(log[1].detail.after.name, '审计');
  assert.equal(log[0].detail.after, null);
  assert.equal(log[0].detail.view_id, v.id);
});

test('the OpenAPI document names the list\'s endpoints: preferences, views, bulk', async () => {
  const doc = assertStatus(await alice.get('/api/v1/openapi.json'), 200).json;
  for (const p of ['/api/v1/auth/me/preferences', '/api/v1/views', '/api/v1/views/{id}', '/api/v1/bulk_jobs/{id}', '/api/v1/customers/bulk']) {
    assert.ok(doc.paths[p], `${p} in the OpenAPI document`);
  }
  assert.ok(!doc.paths['/api/v1/contacts/bulk'], 'contacts have no owner and no tags: no bulk actions');
  assert.ok(doc.paths['/api/v1/customers'].get.parameters.some((x) => x.name === 'ids'));
});
