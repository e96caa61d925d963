// Retention policies: admins manage them; the dry run lists exactly what a
// run would take and changes nothing; a run erases or deletes exactly those
// records, each audited; recent, non-matching, held and consenting customers
// stay. Time is controlled with as_of (records are made "now", the policies
// are applied as of 2030).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, cli } from './lib/server.mjs';

const AS_OF = '2030-01-01T00:00:00Z';
const AS_OF_N = '2030-01-01T00:00:00.000Z';
let srv, root, sam, mia, ids, prospects, former;

const prospectPolicy = {
  name: 'Prospects with no contact for 24 months', entity: 'customers',
  conditions: [{ field: 'relationship_type', op: 'eq', value: 'basic' }],
  age_from: 'last_interaction', age_months: 24, action: 'erase',
};
const formerPolicy = {
  name: 'Former members after 12 months', entity: 'customers',
  conditions: [{ field: 'tags', op: 'contains', value: 'former_member' }, { field: 'customer_class', op: 'in', value: ['individual', 'intermediary'] }],
  age_from: 'updated_at', age_months: 12, action: 'delete',
};

async function customer(body) {
  const r = await sam.post('/api/v1/customers', body);
  assertStatus(r, 201);
  return r.json;
}

before(async () => {
  srv = await startServer({ teams: [{ name: 'north' }], users: [
    { name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' }, { name: 'mia', role: 'manager', team: 'north' },
  ] });
  [root, sam, mia] = ['root', 'sam', 'mia'].map((n) => srv.api(n));
  const c = {};
  c.quiet = await customer({ name: '沉默客戶甲', relationship_type: 'basic', email: 'quiet@example.tw' });
  c.recent = await customer({ name: 'Recent Contact', relationship_type: 'basic' });
  c.old = await customer({ name: '舊聯絡乙', relationship_type: 'basic', phone: '+886 2 2345 6789' });
  c.partner = await customer({ name: 'Partner Co', relationship_type: 'partner' });
  c.held = await customer({ name: 'Held Ltd', relationship_type: 'basic', legal_hold: true });
  c.consenting = await customer({ name: '同意者丙', relationship_type: 'basic' });
  c.withdrawn = await customer({ name: 'Withdrawn Wu', relationship_type: 'basic' });
  c.former = await customer({ name: 'Former Member', relationship_type: 'partner', tags: ['former_member'], customer_class: 'individual' });
  c.formerMaker = await customer({ name: 'Former Maker', relationship_type: 'partner', tags: ['former_member'], customer_class: 'manufacturer' });
  c.member = await customer({ name: 'Member Ma', relationship_type: 'partner', tags: ['member'], customer_class: 'individual' });
  const contact = async (cust, at) => assertStatus(await sam.post('/api/v1/interactions',
    { customer_id: cust.id, channel: 'phone', direction: 'outbound', occurred_at: at }), 201);
  await contact(c.recent, '2029-06-01T09:00:00Z'); // 7 months before as_of: recent
  await contact(c.old, '2025-01-01T09:00:00Z');
  const consent = async (cust, granted) => assertStatus(await sam.post('/api/v1/consents',
    { customer_id: cust.id, purpose: 'marketing_email', granted, source: 'web form' }), 201);
  await consent(c.consenting, true);
  await consent(c.withdrawn, true);
  await consent(c.withdrawn, false);
  ids = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.id]));
});
after(async () => srv && srv.close());

/** Every customer (live and deleted) as id -> {version, updated_at, name, deleted_at}. */
async function customers() {
  const out = {};
  for (const deleted of ['false', 'true']) {
    const r = await root.get(`/api/v1/customers?limit=500&deleted=${deleted}`);
    assertStatus(r, 200);
    for (const x of r.json.data) out[x.id] = { version: x.version, updated_at: x.updated_at, name: x.name, deleted_at: x.deleted_at };
  }
  return out;
}

test('policies: only admins; 401 without credentials', async () => {
  for (const who of [sam, mia]) {
    assertError(await who.get('/api/v1/retention/policies'), 403, 'forbidden');
    assertError(await who.post('/api/v1/retention/policies', prospectPolicy), 403, 'forbidden');
    assertError(await who.get('/api/v1/retention/preview'), 403, 'forbidden');
    assertError(await who.post('/api/v1/retention/run', {}), 403, 'forbidden');
    assertError(await who.patch('/api/v1/retention/policies/1', { age_months: 1 }), 403, 'forbidden');
    assertError(await who.del('/api/v1/retention/policies/1'), 403, 'forbidden');
  }
  const anon = srv.api(null);
  assertError(await anon.get('/api/v1/retention/policies'), 401, 'unauthorized');
  assertError(await anon.post('/api/v1/retention/run', {}), 401, 'unauthorized');
});

test('policies: bad ones are 422 with field errors, malformed JSON 400, and nothing is stored', async () => {
  const bad = async (body, fields) => assertError(await root.post('/api/v1/retention/policies', body), 422, 'validation_failed', fields);
  await bad({}, ['name', 'entity', 'age_from', 'age_months', 'action']);
  await bad({ ...prospectPolicy, colour: 'red' }, ['colour']);
  await bad({ ...prospectPolicy, id: 5 }, ['id']);
  await bad({ ...prospectPolicy, entity: 'contacts' }, ['entity']);
  await bad({ ...prospectPolicy, entity: 'nothing' }, ['entity']);
  await bad({ ...prospectPolicy, entity: 42 }, ['entity']);
  await bad({ ...prospectPolicy, age_months: 0 }, ['age_months']);
  await bad({ ...prospectPolicy, age_months: '24' }, ['age_months']);
  await bad({ ...prospectPolicy, age_months: 2.5 }, ['age_months']);
  await bad({ ...prospectPolicy, age_from: 'created_at' }, ['age_from']);
  await bad({ ...prospectPolicy, action: 'shred' }, ['action']);
  await bad({ ...prospectPolicy, enabled: 'yes' }, ['enabled']);
  await bad({ ...prospectPolicy, name: '' }, ['name']);
  await bad({ ...prospectPolicy, conditions: 'relationship_type:eq:basic' }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: [{ field: 'shoe_size', op: 'eq', value: '42' }] }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: [{ field: 'relationship_type', op: 'like', value: 'basic' }] }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: [{ field: 'relationship_type', op: 'eq', value: 'stranger' }] }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: [{ field: 'relationship_type', op: 'eq', value: { a: 1 } }] }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: [{ field: 'relationship_type', op: 'eq' }] }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: [{ field: 'relationship_type', op: 'eq', value: 'basic', extra: 1 }] }, ['conditions']);
  await bad({ ...prospectPolicy, conditions: Array(11).fill(prospectPolicy.conditions[0]) }, ['conditions']);
  assertError(await root.call('POST', '/api/v1/retention/policies', { raw: '{"name": "x",' }), 400);
  assertError(await root.call('POST', '/api/v1/retention/policies', { raw: '[1,2]' }), 400);
  assertError(await root.get('/api/v1/retention/policies/999'), 404, 'not_found');
  assertError(await root.get('/api/v1/retention/policies/abc'), 404, 'not_found');
  assertError(await root.patch('/api/v1/retention/policies/999', { age_months: 3 }), 404, 'not_found');
  assertError(await root.del('/api/v1/retention/policies/999'), 404, 'not_found');
  assert.deepEqual((await root.get('/api/v1/retention/policies')).json, { data: [] });
});

test('policies: create, read, change (validated again) and remove, each audited', async () => {
  const made = await root.post('/api/v1/retention/policies', prospectPolicy);
  assertStatus(made, 201);
  prospects = made.json;
  assert.deepEqual({ ...prospects, id: 0, created_at: 0, updated_at: 0 },
    { ...prospectPolicy, enabled: true, version: 1, id: 0, created_at: 0, updated_at: 0 });
  const f = await root.post('/api/v1/retention/policies', formerPolicy);
  assertStatus(f, 201);
  former = f.json;
  assert.deepEqual((await root.get(`/api/v1/retention/policies/${former.id}`)).json, former);
  // a PATCH is checked as a whole: erase is for customers only, and so on
  assertError(await root.patch(`/api/v1/retention/policies/${former.id}`, { age_months: -1 }), 422, 'validation_failed', ['age_months']);
  assertError(await root.patch(`/api/v1/retention/policies/${former.id}`, { created_at: 'x' }), 422, 'validation_failed', ['created_at']);
  assert.deepEqual((await root.get(`/api/v1/retention/policies/${former.id}`)).json, former, 'a refused PATCH changes nothing');
  const tmp = await root.post('/api/v1/retention/policies', { ...prospectPolicy, name: 'to remove', enabled: false });
  assertStatus(tmp, 201);
  const ch = await root.patch(`/api/v1/retention/policies/${tmp.json.id}`, { name: 'partners, disabled', conditions: [{ field: 'relationship_type', op: 'eq', value: 'partner' }] });
  assertStatus(ch, 200);
  assert.equal(ch.json.version, 2);
  assert.equal(ch.json.enabled, false);
  assert.equal(ch.json.age_months, 24);
  const list = (await root.get('/api/v1/retention/policies')).json.data;
  assert.deepEqual(list.map((p) => p.id), [prospects.id, former.id, tmp.json.id]);
  const ev = (await root.get('/api/v1/audit?action=retention_policy_changed')).json.data;
  assert.equal(ev.length, 1);
  assert.equal(ev[0].user, 'root');
  assert.equal(ev[0].detail.before.name, 'to remove');
  assert.equal(ev[0].detail.after.name, 'partners, disabled');
  assert.equal((await root.get('/api/v1/audit?action=retention_policy_created')).json.data.length, 3);
  // a disabled policy is not in the dry run nor the run, but can be tried alone
  const alone = await root.get(`/api/v1/retention/preview?as_of=${AS_OF}&policy=${tmp.json.id}`);
  assertStatus(alone, 200);
  assert.deepEqual(alone.json.data.map((x) => x.id).sort(), [ids.partner, ids.former, ids.formerMaker, ids.member].sort());
  assertStatus(await root.del(`/api/v1/retention/policies/${tmp.json.id}`), 204);
  assertError(await root.get(`/api/v1/retention/policies/${tmp.json.id}`), 404, 'not_found');
  assert.equal((await root.get('/api/v1/audit?action=retention_policy_removed')).json.data[0].detail.before.id, tmp.json.id);
});

test('dry run: exactly the matching records, paginated, and nothing changes', async () => {
  const before = await customers();
  const auditBefore = (await root.get('/api/v1/audit?limit=1000')).json.data.length;
  const r = await root.get(`/api/v1/retention/preview?as_of=${AS_OF}`);
  assertStatus(r, 200);
  assert.equal(r.json.as_of, AS_OF_N);
  assert.equal(r.json.next_cursor, null);
  const got = r.json.data.map((x) => [x.policy_id, x.action, x.entity, x.id, x.name]);
  assert.deepEqual(got, [
    [prospects.id, 'erase', 'customers', ids.quiet, '沉默客戶甲'],
    [prospects.id, 'erase', 'customers', ids.old, '舊聯絡乙'],
    [prospects.id, 'erase', 'customers', ids.withdrawn, 'Withdrawn Wu'],
    [former.id, 'delete', 'customers', ids.former, 'Former Member'],
  ]);
  // last activity: the last interaction, else the creation
  assert.equal(r.json.data[1].last_activity, '2025-01-01T09:00:00.000Z');
  assert.equal(r.json.data[0].last_activity, before[ids.quiet].updated_at);
  // pages of 1 give the same records, in the same order
  const paged = [];
  let cursor = null;
  for (let i = 0; i < 10; i++) {
    const p = await root.get(`/api/v1/retention/preview?as_of=${AS_OF}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assertStatus(p, 200);
    paged.push(...p.json.data.map((x) => x.id));
    cursor = p.json.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(paged, got.map((x) => x[3]));
  // one policy alone; now (not 2030) nothing is old enough
  assert.deepEqual((await root.get(`/api/v1/retention/preview?as_of=${AS_OF}&policy=${former.id}`)).json.data.map((x) => x.id), [ids.former]);
  assert.deepEqual((await root.get('/api/v1/retention/preview')).json.data, []);
  // bad parameters
  for (const q of ['limit=0', 'limit=1001', 'limit=x', 'as_of=yesterday', 'cursor=zzz', 'policy=-1', 'policy=abc'])
    assertError(await root.get(`/api/v1/retention/preview?${q}`), 400, 'bad_request');
  assertError(await root.get('/api/v1/retention/preview?policy=999'), 404, 'not_found');
  // nothing changed: records, versions, and no audit entry
  assert.deepEqual(await customers(), before);
  assert.equal((await root.get('/api/v1/audit?limit=1000')).json.data.length, auditBefore);
});

test('command line: the same dry run, then nothing changed; bad arguments exit 1', async () => {
  const before = await customers();
  const r = await srv.cliOk(['retention', '--dry-run', '--as-of', AS_OF]);
  const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.deepEqual(lines.map((l) => [+l[0], l[1], +l[3]]), [
    [prospects.id, 'erase', ids.quiet], [prospects.id, 'erase', ids.old],
    [prospects.id, 'erase', ids.withdrawn], [former.id, 'delete', ids.former],
  ]);
  assert.match(r.stderr, /4 record\(s\) would go/);
  assert.deepEqual(await customers(), before);
  for (const args of [['retention'], ['retention', 'run', '--dry-run'], ['retention', 'burn'], ['retention', '--dry-run', '--as-of', 'soon'], ['retention', 'run', '--policy', 'x']]) {
    const x = await srv.cli(args);
    assert.equal(x.code, 1, `${args.join(' ')}: ${x.stderr}`);
    assert.match(x.stderr, /^guanxi: /);
  }
  assert.deepEqual(await customers(), before);
});

test('run: exactly the previewed records are erased or deleted, each audited; the others are untouched', async () => {
  const before = await customers();
  assertError(await root.post('/api/v1/retention/run', { as_of: 'tomorrow' }), 422, 'validation_failed', ['as_of']);
  assertError(await root.post('/api/v1/retention/run', { policy: 'all' }), 422, 'validation_failed', ['policy']);
  assertError(await root.post('/api/v1/retention/run', { now: true }), 422, 'validation_failed', ['now']);
  assertError(await root.call('POST', '/api/v1/retention/run', { raw: '{' }), 400);
  assert.deepEqual(await customers(), before, 'refused runs change nothing');

  const r = await root.post('/api/v1/retention/run', { as_of: AS_OF });
  assertStatus(r, 200);
  assert.equal(r.json.total, 4);
  assert.deepEqual(r.json.policies.map((p) => [p.id, p.applied]), [[prospects.id, 3], [former.id, 1]]);
  const after = await customers();
  for (const k of ['quiet', 'old', 'withdrawn']) {
    assertError(await root.get(`/api/v1/customers/${ids[k]}`), 404, 'not_found');
    assert.equal(after[ids[k]].name, '(erased)', `${k} erased`);
    assert.ok(after[ids[k]].deleted_at);
  }
  assertError(await root.get(`/api/v1/customers/${ids.former}`), 404, 'not_found');
  assert.equal(after[ids.former].name, 'Former Member', 'deleted, not erased');
  assert.ok(after[ids.former].deleted_at);
  for (const k of ['recent', 'partner', 'held', 'consenting', 'formerMaker', 'member'])
    assert.deepEqual(after[ids[k]], before[ids[k]], `${k} untouched`);
  // the erased values are gone from the identifiers too
  const idents = (await root.get('/api/v1/customer_identifiers?limit=500')).json.data.map((x) => x.value);
  assert.ok(!idents.includes('quiet@example.tw'));
  // audit: one event per record, and the run
  const ev = (await root.get('/api/v1/audit?action=retention_erase&limit=100')).json.data;
  assert.deepEqual(ev.map((e) => e.detail.record_id).sort(), [ids.quiet, ids.old, ids.withdrawn].sort());
  assert.ok(ev.every((e) => e.user === 'root' && e.detail.policy_id === prospects.id && e.detail.as_of === AS_OF_N));
  const del = (await root.get('/api/v1/audit?action=retention_delete')).json.data;
  assert.deepEqual(del.map((e) => e.detail.record_id), [ids.former]);
  const run = (await root.get('/api/v1/audit?action=retention_run')).json.data;
  assert.equal(run.length, 1);
  assert.equal(run[0].detail.total, 4);
  assert.equal(run[0].detail.trigger, 'api');
  const hist = (await root.get(`/api/v1/customers/${ids.quiet}/history`)).json.data;
  assert.equal(hist.at(-1).action, 'erase');
  // a second run finds nothing more; the dry run agrees
  const again = await root.post('/api/v1/retention/run', { as_of: AS_OF });
  assert.equal(again.json.total, 0);
  assert.deepEqual((await root.get(`/api/v1/retention/preview?as_of=${AS_OF}`)).json.data, []);
  // the command line runs the same way (nothing left as of 2030)
  const c = await srv.cliOk(['retention', 'run', '--as-of', AS_OF]);
  assert.match(c.stderr, /0 record\(s\) taken/);
});

test('serve: --retention-at must be a time of day', async () => {
  for (const at of ['25:00', '3am', '03:60', '']) {
    const r = await cli(['serve', '--data', srv.dir, '--listen', '127.0.0.1:1', '--retention-at', at]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--retention-at/);
  }
});
