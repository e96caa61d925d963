// Audit history: who, when, action, field, old and new value; oldest first;
// works on deleted records; failed requests add nothing.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, TS_RE, sleep } from './lib/server.mjs';

let srv, alice, bob, aliceId, bobId;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }, { name: 'bob', role: 'sales' }] });
  alice = srv.api('alice');
  bob = srv.api('bob');
  aliceId = (await alice.get('/api/v1/auth/me')).json.user.id;
  bobId = (await bob.get('/api/v1/auth/me')).json.user.id;
  assertStatus(await alice.post('/api/v1/meta/entities/customers/fields', { name: 'vip_level', type: 'integer' }), 201);
});
after(async () => srv && srv.close());

const META = new Set(['id', 'version', 'created_at', 'updated_at']);
const changesOf = (e) => e.changes.filter((c) => !META.has(c.field));
const byField = (e) => Object.fromEntries(changesOf(e).map((c) => [c.field, c]));

async function history(api, p) {
  const r = await api.get(`${p}/history`);
  assertStatus(r, 200);
  assert.ok(Array.isArray(r.json.data));
  return r.json.data;
}

test('create, update by another user, delete, restore: full trail', async () => {
  const t0 = Date.now();
  // bob is a sales rep: he may change customers he owns
  const c = await alice.post('/api/v1/customers', { name: '王小明', city: '上海市', tags: ['vip'], owner_id: bobId });
  assertStatus(c, 201);
  const p = `/api/v1/customers/${c.json.id}`;

  let h = await history(alice, p);
  assert.equal(h.length, 1);
  assert.equal(h[0].action, 'create');
  assert.equal(h[0].user_id, aliceId);
  assert.equal(h[0].user, 'alice');
  assert.match(h[0].at, TS_RE);
  assert.ok(Math.abs(Date.parse(h[0].at) - t0) < 60000);
  const cf = byField(h[0]);
  assert.deepEqual(cf.name, { field: 'name', old: null, new: '王小明' });
  assert.deepEqual(cf.city, { field: 'city', old: null, new: '上海市' });
  assert.deepEqual(cf.tags, { field: 'tags', old: null, new: ['vip'] });

  await sleep(3);
  assertStatus(await bob.patch(p, { city: '北京市', tags: ['vip', '老客户'], vip_level: 3 }), 200);
  h = await history(bob, p);
  assert.equal(h.length, 2);
  assert.equal(h[1].action, 'update');
  assert.equal(h[1].user_id, bobId);
  assert.equal(h[1].user, 'bob');
  assert.deepEqual(
    changesOf(h[1]).sort((a, b) => a.field.localeCompare(b.field)),
    [
      { field: 'city', old: '上海市', new: '北京市' },
      { field: 'tags', old: ['vip'], new: ['vip', '老客户'] },
      { field: 'vip_level', old: null, new: 3 },
    ],
  );

  assertStatus(await alice.patch(p, { city: null }), 200);
  assertStatus(await alice.del(p), 204);
  // history works on deleted records
  h = await history(alice, p);
  assert.equal(h.length, 4);
  assert.deepEqual(changesOf(h[2]), [{ field: 'city', old: '北京市', new: null }]);
  assert.equal(h[3].action, 'delete');
  assert.equal(h[3].user, 'alice');

  assertStatus(await bob.post(`${p}/restore`), 200);
  h = await history(alice, p);
  assert.equal(h.length, 5);
  assert.equal(h[4].action, 'restore');
  assert.equal(h[4].user, 'bob');
  assert.deepEqual(h.map((e) => e.action), ['create', 'update', 'update', 'delete', 'restore']);
  // oldest first, ids increasing, timestamps non-decreasing
  for (let i = 1; i < h.length; i++) {
    assert.ok(h[i].id > h[i - 1].id, 'ids increase');
    assert.ok(h[i].at >= h[i - 1].at, 'at non-decreasing');
  }
});

test('failed updates add no history entry', async () => {
  const c = await alice.post('/api/v1/customers', { name: '陳大文' });
  const p = `/api/v1/customers/${c.json.id}`;
  assertError(await alice.patch(p, { email: 'bad' }), 422, 'validation_failed', ['email']);
  assertError(await alice.patch(p, { city: 'x' }, { headers: { 'If-Match': '5' } }), 412, 'version_mismatch');
  assertError(await alice.patch(p, { bogus: 1 }), 422, 'validation_failed', ['bogus']);
  assertError(await alice.del(p, { headers: { 'If-Match': '9' } }), 412, 'version_mismatch');
  const h = await history(alice, p);
  assert.equal(h.length, 1);
  assert.equal(h[0].action, 'create');
});

test('history of other entities', async () => {
  const co = await alice.post('/api/v1/customers', { name: '騰訊 Tencent', kind: 'company', owner_id: bobId });
  const ct = await bob.post('/api/v1/contacts', { customer_id: co.json.id, name: '馬先生', role: 'CEO' });
  assertStatus(ct, 201);
  assertStatus(await bob.patch(`/api/v1/contacts/${ct.json.id}`, { role: '董事長' }), 200);
  const h = await history(alice, `/api/v1/contacts/${ct.json.id}`);
  assert.deepEqual(h.map((e) => e.action), ['create', 'update']);
  assert.deepEqual(changesOf(h[1]), [{ field: 'role', old: 'CEO', new: '董事長' }]);
  const i = await alice.post('/api/v1/interactions', { customer_id: co.json.id, channel: 'email', direction: 'outbound', subject: '報價' });
  assertStatus(i, 201);
  const hi = await history(alice, `/api/v1/interactions/${i.json.id}`);
  assert.equal(hi.length, 1);
  assert.equal(byField(hi[0]).subject.new, '報價');
});

test('history of unknown record or entity → 404', async () => {
  assertError(await alice.get('/api/v1/customers/987654/history'), 404, 'not_found');
  assertError(await alice.get('/api/v1/widgets/1/history'), 404, 'not_found');
});
