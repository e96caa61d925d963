// An acknowledged write is never lost, not even to kill -9.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertStatus, listAll } from './lib/server.mjs';

let srv, api;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
});
after(async () => srv && srv.close());

test('200 acknowledged creates, updates and deletes survive SIGKILL', async () => {
  const acked = new Map(); // id -> expected record
  const N = 200, BATCH = 20;
  for (let b = 0; b < N / BATCH; b++) {
    const rs = await Promise.all(Array.from({ length: BATCH }, (_, i) => {
      const n = b * BATCH + i;
      const body = { name: n % 2 ? `持久 陳大文 ${n}` : `Durable 王小明 ${n}`, city: n % 3 ? '台北市' : '上海市', tags: [`t${n}`] };
      return api.post('/api/v1/customers', body).then((r) => ({ r, body }));
    }));
    for (const { r, body } of rs) {
      assertStatus(r, 201);
      acked.set(r.json.id, { ...body, version: 1 });
    }
  }
  assert.equal(acked.size, N);
  const ids = [...acked.keys()];
  // update 50, delete 20 (all acknowledged)
  const upd = await Promise.all(ids.slice(0, 50).map((id) => api.patch(`/api/v1/customers/${id}`, { city: '香港' })));
  for (const r of upd) {
    assertStatus(r, 200);
    Object.assign(acked.get(r.json.id), { city: '香港', version: 2 });
  }
  const deleted = ids.slice(180);
  for (const r of await Promise.all(deleted.map((id) => api.del(`/api/v1/customers/${id}`)))) assertStatus(r, 204);

  await srv.kill9();
  await srv.start();

  for (const [id, want] of acked) {
    const r = await api.get(`/api/v1/customers/${id}`);
    if (deleted.includes(id)) {
      assert.equal(r.status, 404, `deleted ${id} came back`);
      continue;
    }
    assertStatus(r, 200);
    assert.equal(r.json.name, want.name);
    assert.equal(r.json.city, want.city);
    assert.deepEqual(r.json.tags, want.tags);
    assert.equal(r.json.version, want.version);
  }
  const dead = await listAll(api, 'customers', { deleted: 'true' });
  assert.deepEqual(dead.map((x) => x.id).sort((a, b) => a - b), [...deleted].sort((a, b) => a - b));
});

test('kill -9 in the middle of a burst: every acknowledged write is there, each with its audit entry', async () => {
  // 20 clients post in a loop; kill -9 once 40 writes are acknowledged
  const acked = [];
  let killed = false;
  let n = 0;
  const worker = async () => {
    while (!killed) {
      const i = n++;
      let r;
      try {
        r = await api.post('/api/v1/customers', { name: `Burst 突發 ${i}`, source: 'burst' });
      } catch {
        return; // connection cut by the kill
      }
      if (killed) return;
      assertStatus(r, 201);
      acked.push({ id: r.json.id, name: r.json.name });
    }
  };
  const workers = Array.from({ length: 20 }, worker);
  const t0 = Date.now();
  while (acked.length < 40 && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 1));
  assert.ok(acked.length >= 40, `only ${acked.length} acknowledged`);
  killed = true;
  const ackedNow = acked.slice();
  await srv.kill9();
  await Promise.all(workers);
  await srv.start();
  for (const { id, name } of ackedNow) {
    const r = await api.get(`/api/v1/customers/${id}`);
    assertStatus(r, 200);
    assert.equal(r.json.name, name);
  }
  // whatever exists is whole: a record and its create entry together
  const all = await listAll(api, 'customers', { filter: 'source:eq:burst' });
  assert.ok(all.length >= ackedNow.length);
  for (const c of all) {
    const h = await api.get(`/api/v1/customers/${c.id}/history`);
    assertStatus(h, 200);
    assert.equal(h.json.data.length, 1, `history of ${c.id}`);
    assert.equal(h.json.data[0].action, 'create');
  }
  // and the server keeps working
  assertStatus(await api.post('/api/v1/customers', { name: 'after crash' }), 201);
});
