// Bulk actions (POST /api/v1/{entity}/bulk, GET /api/v1/bulk_jobs/{id}):
// assign an owner, add or remove a tag on records chosen by id or by the
// list's filters and q; each record goes through the normal update (version
// +1, a history entry, the caller's update scope), records the caller may not
// change are reported with the reason and left alone; the job runs in the
// background with its progress; at most 10,000 records at once; bad input is
// refused whole and writes nothing.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, listAll, snapshot, sleep, SLOW } from './lib/server.mjs';

let srv, alice, sam, stan, mia, rory;
const uid = {};
const ids = {};

before(async () => {
  srv = await startServer({ teams: [{ name: 'north' }, { name: 'south' }], users: [
    { name: 'alice', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
    { name: 'stan', role: 'sales', team: 'south' }, { name: 'mia', role: 'marketing', team: 'north' },
    { name: 'rory', role: 'readonly' },
  ] });
  [alice, sam, stan, mia, rory] = ['alice', 'sam', 'stan', 'mia', 'rory'].map((n) => srv.api(n));
  for (const u of (await alice.get('/api/v1/users')).json.data) uid[u.name] = u.id;
  const mk = async (who, body) => assertStatus(await who.post('/api/v1/customers', body), 201).json.id;
  ids.sam = [];
  for (const [name, city] of [['台北甲', '台北'], ['台北乙', '台北'], ['广州丙', '广州'], ['Taipei Ding', '台北']]) {
    ids.sam.push(await mk(sam, { name, city, tags: ['老客戶'] }));
  }
  ids.stan = [];
  for (const [name, city] of [['高雄戊', '高雄'], ['台北己', '台北']]) ids.stan.push(await mk(stan, { name, city }));
  ids.mia = [await mk(alice, { name: '行銷自己的客戶', city: '台北', owner_id: uid.mia })];
  // stan lets sam read (not edit) one of his customers
  assertStatus(await stan.post(`/api/v1/customers/${ids.stan[1]}/shares`, { user_id: uid.sam, access: 'read' }), 201);
});
after(async () => srv && srv.close());

/** Follow a job to its end; returns the last state (every state seen in .seen). */
async function follow(api, res) {
  assertStatus(res, 202);
  assert.equal(res.json.status, 'queued');
  assert.equal(res.headers.get('location'), `/api/v1/bulk_jobs/${res.json.id}`);
  assert.equal(res.json.href, res.headers.get('location'));
  const seen = [];
  const deadline = Date.now() + 30000 * SLOW;
  for (;;) {
    const r = assertStatus(await api.get(res.json.href), 200);
    seen.push(r.json);
    if (!['queued', 'running'].includes(r.json.status)) return Object.assign(r.json, { seen });
    assert.ok(Date.now() < deadline, `job still ${r.json.status}`);
    await sleep(50);
  }
}

async function customer(id) {
  return assertStatus(await alice.get(`/api/v1/customers/${id}`), 200).json;
}

test('add a tag to every customer the filter shows: each changed through the normal update', async () => {
  const before = await Promise.all(ids.sam.map(customer));
  const job = await follow(sam, await sam.post('/api/v1/customers/bulk', { action: 'add_tag', value: 'VIP 貴賓', filters: ['city:eq:台北'] }));
  // sam sees his three 台北 customers and the one stan shared: four chosen
  assert.equal(job.status, 'done');
  assert.equal(job.total, 4);
  assert.equal(job.processed, 4);
  assert.equal(job.changed, 3);
  assert.equal(job.failed, 1, 'the shared record may be read, not changed');
  assert.deepEqual(job.errors.map((x) => [x.id, x.code]), [[ids.stan[1], 'forbidden']]);
  assert.ok(job.errors[0].reason.length > 0);
  assert.deepEqual(job.selection, { filters: ['city:eq:台北'], q: null });
  assert.equal(job.action, 'add_tag');
  assert.equal(job.value, 'VIP 貴賓');
  assert.equal(job.user, 'sam');
  for (const [i, b] of before.entries()) {
    const a = await customer(ids.sam[i]);
    if (b.city === '台北') {
      assert.deepEqual(a.tags, ['老客戶', 'VIP 貴賓']);
      assert.equal(a.version, b.version + 1);
      const h = (await alice.get(`/api/v1/customers/${a.id}/history`)).json.data.at(-1);
      assert.equal(h.user, 'sam');
      assert.deepEqual(h.changes, [{ field: 'tags', old: ['老客戶'], new: ['老客戶', 'VIP 貴賓'] }]);
    } else {
      assert.deepEqual(a, b, 'outside the filter: untouched');
    }
  }
  assert.equal((await customer(ids.stan[1])).tags, null, 'the record sam may not change is left as it was');
  // again, narrowed by q (names with 台北): the tagged ones are skipped, no new version
  const again = await follow(sam, await sam.post('/api/v1/customers/bulk', { action: 'add_tag', value: 'VIP 貴賓', filters: ['city:eq:台北'], q: '台北' }));
  assert.deepEqual([again.total, again.changed, again.skipped, again.failed], [3, 0, 2, 1]);
  assert.equal((await customer(ids.sam[0])).version, before[0].version + 1);
});

test('remove a tag by ids: ids sam cannot see are "not found", never touched', async () => {
  const chosen = [ids.sam[0], ids.sam[2], ids.stan[0], 999999, ids.sam[0]];
  const job = await follow(sam, await sam.post('/api/v1/customers/bulk', { action: 'remove_tag', value: '老客戶', ids: chosen }));
  assert.equal(job.total, 4, 'each id once');
  assert.deepEqual(job.selection, { ids: 4 });
  assert.deepEqual([job.changed, job.skipped, job.failed], [2, 0, 2]);
  assert.deepEqual(job.errors.map((x) => [x.id, x.code]).sort(), [[ids.stan[0], 'not_found'], [999999, 'not_found']].sort());
  assert.deepEqual((await customer(ids.sam[0])).tags, ['VIP 貴賓']);
  assert.deepEqual((await customer(ids.sam[2])).tags, []);
  assert.equal((await customer(ids.stan[0])).version, 1);
});

test('assign an owner: the team follows; marketing may change only its own customers', async () => {
  const job = await follow(alice, await alice.post('/api/v1/customers/bulk', { action: 'assign_owner', value: uid.stan, ids: ids.sam.slice(0, 2) }));
  assert.deepEqual([job.changed, job.failed], [2, 0]);
  for (const id of ids.sam.slice(0, 2)) {
    const c = await customer(id);
    assert.equal(c.owner_id, uid.stan);
  }
  assertError(await sam.get(`/api/v1/customers/${ids.sam[0]}`), 404, 'not_found');
  // marketing: reads all, updates only its own
  const m = await follow(mia, await mia.post('/api/v1/customers/bulk', { action: 'add_tag', value: 'campaign', filters: ['city:eq:台北'] }));
  assert.equal(m.changed, 1);
  assert.equal(m.failed, m.total - 1);
  assert.ok(m.errors.every((x) => x.code === 'forbidden'));
  assert.deepEqual((await customer(ids.mia[0])).tags, ['campaign']);
  assert.ok(!(await customer(ids.stan[1])).tags?.includes('campaign'));
});

test('a larger selection runs in batches with progress, and ends in the audit log', async () => {
  for (let i = 0; i < 230; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => alice.post('/api/v1/customers', { name: `批量 ${i + k}`, city: '深圳', tags: ['batch'] })));
  }
  const job = await follow(alice, await alice.post('/api/v1/customers/bulk', { action: 'remove_tag', value: 'batch', filters: ['city:eq:深圳'] }));
  assert.deepEqual([job.status, job.total, job.processed, job.changed], ['done', 230, 230, 230]);
  for (let i = 1; i < job.seen.length; i++) assert.ok(job.seen[i].processed >= job.seen[i - 1].processed, 'progress only grows');
  assert.ok(job.seen.every((s) => s.processed % 100 === 0 || s.processed === 230), 'progress moves a batch at a time');
  assert.equal((await listAll(alice, 'customers', { filter: 'tags:contains:batch' })).length, 0);
  const ev = (await alice.get('/api/v1/audit?action=bulk_action&user=alice&limit=1')).json.data[0];
  assert.equal(ev.detail.job_id, job.id);
  assert.deepEqual([ev.detail.total, ev.detail.changed, ev.detail.action, ev.detail.entity], [230, 230, 'remove_tag', 'customers']);
});

test('dry run: how many the selection holds, nothing changed', async () => {
  const snap = await snapshot(alice, ['customers']);
  const r = assertStatus(await sam.post('/api/v1/customers/bulk', { dry_run: true, filters: ['city:eq:台北'] }), 200);
  assert.deepEqual(r.json, { total: 2, max: 10000 });
  const all = assertStatus(await alice.post('/api/v1/customers/bulk', { dry_run: true, filters: [] }), 200);
  assert.equal(all.json.total, (await listAll(alice, 'customers')).length);
  assert.deepEqual(await snapshot(alice, ['customers']), snap);
});

test('jobs are seen by their user and admins only', async () => {
  const job = await follow(sam, await sam.post('/api/v1/customers/bulk', { action: 'add_tag', value: 'x', ids: [ids.sam[3]] }));
  assertStatus(await alice.get(`/api/v1/bulk_jobs/${job.id}`), 200);
  for (const who of [stan, mia, rory]) assertError(await who.get(`/api/v1/bulk_jobs/${job.id}`), 404, 'not_found');
  for (const id of ['0', 'abc', '999999']) assertError(await sam.get(`/api/v1/bulk_jobs/${id}`), 404, 'not_found');
});

test('q alone chooses the records: the job records no filters', async () => {
  const job = await follow(sam, await sam.post('/api/v1/customers/bulk', { action: 'add_tag', value: 'q only', q: 'Taipei' }));
  assert.deepEqual(job.selection, { filters: [], q: 'Taipei' });
  assert.deepEqual([job.status, job.total, job.changed], ['done', 1, 1]);
  assert.ok((await customer(ids.sam[3])).tags.includes('q only'));
});

test('bad input: 4xx naming the problem, nothing written', async () => {
  const snap = await snapshot(alice, ['customers']);
  const jobsBefore = (await alice.get('/api/v1/audit?action=bulk_action')).json.data.length;
  const B = '/api/v1/customers/bulk';
  const bad = [
    [{ action: 'paint', value: 'red', ids: [ids.sam[3]] }, ['action']],
    [{ action: 5, value: 'x', ids: [ids.sam[3]] }, ['action']],
    [{ value: 'x', ids: [ids.sam[3]] }, ['action']],
    [{ action: 'add_tag', ids: [ids.sam[3]] }, ['value']],
    [{ action: 'add_tag', value: 7, ids: [ids.sam[3]] }, ['value']],
    [{ action: 'add_tag', value: '', ids: [ids.sam[3]] }, ['value']],
    [{ action: 'add_tag', value: '標'.repeat(51), ids: [ids.sam[3]] }, ['value']],
    [{ action: 'add_tag', value: 'a\nb', ids: [ids.sam[3]] }, ['value']],
    [{ action: 'assign_owner', value: 'sam', ids: [ids.sam[3]] }, ['value']],
    [{ action: 'assign_owner', value: 987654, ids: [ids.sam[3]] }, ['value']],
    [{ action: 'assign_owner', value: -1, ids: [ids.sam[3]] }, ['value']],
    [{ action: 'add_tag', value: 'x' }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: [] }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: 'all' }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: ['1'] }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: [0] }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: [1.5] }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: Array.from({ length: 10001 }, (_, i) => i + 1) }, ['ids']],
    [{ action: 'add_tag', value: 'x', ids: [1], filters: [] }, ['ids']],
    [{ action: 'add_tag', value: 'x', filters: 'city:eq:台北' }, ['filters']],
    [{ action: 'add_tag', value: 'x', filters: [3] }, ['filters']],
    [{ action: 'add_tag', value: 'x', filters: ['nope:eq:1'] }, ['filters']],
    [{ action: 'add_tag', value: 'x', filters: ['city:zz:1'] }, ['filters']],
    [{ action: 'add_tag', value: 'x', filters: Array(21).fill('city:eq:台北') }, ['filters']],
    [{ action: 'add_tag', value: 'x', filters: [], q: 5 }, ['q']],
    [{ action: 'add_tag', value: 'x', filters: [], q: 'q'.repeat(201) }, ['q']],
    [{ action: 'add_tag', value: 'x', filters: ['nope:eq:1'], q: 'q'.repeat(201) }, ['filters', 'q']],
    [{ action: 'add_tag', value: 'x', q: '  ' }, ['q']],
    [{ action: 'add_tag', value: 'x', filters: [], dry_run: 'yes' }, ['dry_run']],
    [{ action: 'add_tag', value: 'x', filters: [], then: 'delete' }, ['then']],
  ];
  for (const [body, fields] of bad) assertError(await sam.post(B, body), 422, 'validation_failed', fields);
  // a role that sees personal data masked may not choose by it
  assertError(await mia.post(B, { action: 'add_tag', value: 'x', filters: ['email:contains:a'] }), 422, 'validation_failed', ['filters']);
  // entities without owners or tags have no such actions
  assertError(await alice.post('/api/v1/contacts/bulk', { action: 'add_tag', value: 'x', filters: [] }), 422, 'validation_failed', ['action']);
  assertError(await alice.post('/api/v1/contacts/bulk', { action: 'assign_owner', value: uid.sam, filters: [] }), 422, 'validation_failed', ['action']);
  assertError(await alice.post('/api/v1/no_such/bulk', { action: 'add_tag', value: 'x', filters: [] }), 404, 'not_found');
  // a role without update
  assertError(await rory.post(B, { action: 'add_tag', value: 'x', filters: [] }), 403, 'forbidden');
  assertError(await rory.post(B, { dry_run: true, filters: [] }), 403, 'forbidden');
  for (const raw of ['{"action":', '[]', '"add_tag"', '{"action":"add_tag","action":"add_tag","value":"x","filters":[]}', '']) {
    assertError(await sam.call('POST', B, { raw }), 400);
  }
  assertError(await sam.call('POST', B, { raw: '{}', headers: { 'content-type': 'text/plain' } }), 415);
  assertError(await srv.api(null).post(B, { action: 'add_tag', value: 'x', filters: [] }), 401, 'unauthorized');

  assert.deepEqual(await snapshot(alice, ['customers']), snap, 'nothing written');
  assert.equal((await alice.get('/api/v1/audit?action=bulk_action')).json.data.length, jobsBefore, 'no job started');
});

test('at most 10,000 records at once: a filter matching more is refused whole (422)', async () => {
  const big = await startServer({ users: [{ name: 'root', role: 'admin' }] });
  try {
    await big.stop();
    await big.cliOk(['demo', '--customers', '10001'], { timeoutMs: 600000 });
    await big.start();
    const root = big.api('root');
    const dry = assertStatus(await root.post('/api/v1/customers/bulk', { dry_run: true, filters: [] }), 200);
    assert.deepEqual(dry.json, { total: 10001, max: 10000 });
    const r = await root.post('/api/v1/customers/bulk', { action: 'add_tag', value: 'too many', filters: [] });
    assertError(r, 422, 'validation_failed', ['filters']);
    assert.match(r.json.error.message, /10000/);
    assert.equal((await root.get('/api/v1/customers?filter=tags:contains:too%20many')).json.data.length, 0);
  } finally {
    await big.close();
  }
});
