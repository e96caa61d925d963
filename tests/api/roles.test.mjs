// The permission table can be changed by admins: a change takes effect at
// once, survives a restart, and is in the audit log.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, sue, sueCustomer;
before(async () => {
  srv = await startServer({ teams: [{ name: 'east' }], users: [
    { name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'east' }, { name: 'sue', role: 'sales', team: 'east' },
  ] });
  [root, sam, sue] = ['root', 'sam', 'sue'].map((n) => srv.api(n));
  sueCustomer = (await sue.post('/api/v1/customers', { name: '同隊的客戶' })).json.id;
});
after(async () => srv && srv.close());

test("widening sales to their team: the team-mate's customer becomes visible, at once and after a restart", async () => {
  assertError(await sam.get(`/api/v1/customers/${sueCustomer}`), 404, 'not_found');
  const r = await root.patch('/api/v1/roles/sales', { entities: { customers: { read: 'team' } } });
  assertStatus(r, 200);
  assert.equal(r.json.data.find((x) => x.role === 'sales').entities.customers.read, 'team');
  assertStatus(await sam.get(`/api/v1/customers/${sueCustomer}`), 200);
  assertError(await sam.patch(`/api/v1/customers/${sueCustomer}`, { notes: 'x' }), 403, 'forbidden');	// update still own
  await srv.restart();
  assertStatus(await sam.get(`/api/v1/customers/${sueCustomer}`), 200);
  const ev = (await root.get('/api/v1/audit?action=role_changed')).json.data[0];
  assert.equal(ev.detail.role, 'sales');
  assert.deepEqual(ev.detail.changes, [['customers', 'read', 'team']]);
  assertStatus(await root.patch('/api/v1/roles/sales', { entities: { customers: { read: 'own' } } }), 200);
  assertError(await sam.get(`/api/v1/customers/${sueCustomer}`), 404, 'not_found');
});

test('bad changes → 422, 409, 404 or 403; the table stays as it was', async () => {
  const before = JSON.stringify((await root.get('/api/v1/roles')).json);
  for (const body of [
    { entities: { widgets: { read: 'all' } } }, { entities: { customers: { fly: 'all' } } },
    { entities: { customers: { read: 'everything' } } }, { entities: { customers: { admin: 'all' } } },
    { entities: {} }, { roles: {} }, { entities: { customers: { read: 3 } } },
  ]) assertError(await root.patch('/api/v1/roles/sales', body), 422, 'validation_failed', ['entities']);
  assertError(await root.patch('/api/v1/roles/admin', { entities: { customers: { read: 'own' } } }), 409, 'conflict');
  assertError(await root.patch('/api/v1/roles/boss', { entities: { customers: { read: 'own' } } }), 404, 'not_found');
  assertError(await sam.patch('/api/v1/roles/sales', { entities: { customers: { read: 'all' } } }), 403, 'forbidden');
  assert.equal(JSON.stringify((await root.get('/api/v1/roles')).json), before);
});
