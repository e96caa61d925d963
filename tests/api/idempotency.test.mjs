// Idempotency-Key on POST: replay returns the first answer and creates
// nothing; a different body with the same key → 422; keys are per user.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, listAll, rawHttp } from './lib/server.mjs';

let srv, alice, bob;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }, { name: 'bob', role: 'sales' }] });
  alice = srv.api('alice');
  bob = srv.api('bob');
});
after(async () => srv && srv.close());

const count = async (e = 'customers') => (await listAll(alice, e)).length;

test('retry with the same key and body returns the first answer, creates nothing', async () => {
  const n = await count();
  const body = { name: '冪等 王小明', city: '上海市' };
  const first = await alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-001' } });
  assertStatus(first, 201);
  assert.notEqual(first.headers.get('idempotent-replayed'), 'true');
  for (let i = 0; i < 3; i++) {
    const again = await alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-001' } });
    assertStatus(again, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
  }
  assert.equal(await count(), n + 1);
  const h = await alice.get(`/api/v1/customers/${first.json.id}/history`);
  assert.equal(h.json.data.length, 1);
});

test('replay returns the first answer even after the record changed', async () => {
  const body = { name: 'Replay after change' };
  const first = await alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-change' } });
  assertStatus(first, 201);
  assertStatus(await alice.patch(`/api/v1/customers/${first.json.id}`, { city: '台北市' }), 200);
  const again = await alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-change' } });
  assertStatus(again, 201);
  assert.deepEqual(again.json, first.json);
});

test('same key, different body → 422 idempotency_key_reused, nothing written', async () => {
  const first = await alice.post('/api/v1/customers', { name: '陳大文' }, { headers: { 'Idempotency-Key': 'key-002' } });
  assertStatus(first, 201);
  const n = await count();
  const r = await alice.post('/api/v1/customers', { name: '陳大文 (2)' }, { headers: { 'Idempotency-Key': 'key-002' } });
  assertError(r, 422, 'idempotency_key_reused');
  assert.equal(await count(), n);
});

test('keys belong to a user: the same key by another user creates a new record', async () => {
  const body = { name: 'Shared key body' };
  const a = await alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-shared' } });
  const b = await bob.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-shared' } });
  assertStatus(a, 201);
  assertStatus(b, 201);
  assert.notEqual(a.json.id, b.json.id);
  assert.notEqual(b.headers.get('idempotent-replayed'), 'true');
});

test('without a key, two identical POSTs create two records', async () => {
  const n = await count();
  assertStatus(await alice.post('/api/v1/customers', { name: 'No key' }), 201);
  assertStatus(await alice.post('/api/v1/customers', { name: 'No key' }), 201);
  assert.equal(await count(), n + 2);
});

test('works on other entities', async () => {
  const c = await alice.post('/api/v1/customers', { name: 'Idem parent' });
  const body = { customer_id: c.json.id, channel: 'phone', direction: 'inbound', subject: '同一通電話' };
  const n = await count('interactions');
  const a = await alice.post('/api/v1/interactions', body, { headers: { 'Idempotency-Key': 'call-77' } });
  const b = await alice.post('/api/v1/interactions', body, { headers: { 'Idempotency-Key': 'call-77' } });
  assertStatus(a, 201);
  assertStatus(b, 201);
  assert.deepEqual(b.json, a.json);
  assert.equal(await count('interactions'), n + 1);
});

test('concurrent retries with the same key create exactly one record', async () => {
  const n = await count();
  const body = { name: '並發 Concurrent' };
  const rs = await Promise.all(Array.from({ length: 12 }, () =>
    alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'key-concurrent' } })));
  const ok = rs.filter((r) => r.status === 201);
  for (const r of rs) assert.ok(r.status === 201 || r.status === 409, `${r.status} ${r.text}`);
  assert.ok(ok.length >= 1);
  assert.equal(new Set(ok.map((r) => r.json.id)).size, 1, 'one id for every 201');
  assert.equal(await count(), n + 1);
});

test('invalid keys → 400 bad_request, nothing written', async () => {
  const n = await count();
  assertError(await alice.post('/api/v1/customers', { name: 'k' }, { headers: { 'Idempotency-Key': 'k'.repeat(256) } }), 400, 'bad_request');
  assertError(await alice.post('/api/v1/customers', { name: 'k' }, { headers: { 'Idempotency-Key': '' } }), 400, 'bad_request');
  const body = JSON.stringify({ name: 'k' });
  const r = await rawHttp(srv, {
    method: 'POST', path: '/api/v1/customers', body,
    headers: { authorization: `Bearer ${srv.users.alice.token}`, 'content-type': 'application/json', 'idempotency-key': Buffer.from('clé-\u00e9', 'latin1').toString('latin1') },
  });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json?.error?.code, 'bad_request');
  assert.equal(await count(), n);
  // 255 printable characters is fine
  const ok = await alice.post('/api/v1/customers', { name: 'k255' }, { headers: { 'Idempotency-Key': '~'.repeat(255) } });
  assertStatus(ok, 201);
});
