// Duplicates and merge (issue 4): scored detection (same phone however
// written, same e-mail, the same name across scripts in the same city),
// merge that moves everything under the duplicate to the survivor and can
// be undone, keeping every interaction and identifier; access; bad input.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, qs } from './lib/server.mjs';

let srv, root, sam, stan;

before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }, { name: 'south' }],
    users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
      { name: 'stan', role: 'sales', team: 'south' }],
  });
  [root, sam, stan] = ['root', 'sam', 'stan'].map((n) => srv.api(n));
});
after(async () => srv && srv.close());

const create = async (api, body) => {
  const r = await api.post('/api/v1/customers', body);
  assertStatus(r, 201);
  return r.json;
};
const dups = async (api, id) => {
  const r = await api.get(`/api/v1/customers/${id}/duplicates`);
  assertStatus(r, 200);
  return r.json.data;
};

describe('detection', () => {
  let a, b, c, d, e, f;
  before(async () => {
    a = await create(root, { name: '王小明', country: 'CN', city: '上海市', mobile: '+86 138-0013-8000' });
    b = await create(root, { name: 'Wang Xiaoming', country: 'CN', city: '上海市', phone: '13800138000' });
    c = await create(root, { name: '陳大文', country: 'HK', city: '香港', email: 'tai.man@example.hk' });
    d = await create(root, { name: '陈大文', country: 'HK', city: '香港' });
    e = await create(root, { name: '陈大文', country: 'CN', city: '北京市' }); // same name, elsewhere
    f = await create(root, { name: 'Mary Smith', country: 'GB', city: 'London', email: 'mary@example.co.uk' });
  });
  test('same phone written two ways, and the same name across scripts', async () => {
    const got = await dups(root, a.id);
    assert.deepEqual(got.map((x) => x.customer.id), [b.id]);
    assert.deepEqual(got[0].reasons.sort(), ['city', 'name', 'phone']);
    assert.equal(got[0].score, 100);
    assert.deepEqual((await dups(root, b.id)).map((x) => x.customer.id), [a.id], 'both ways');
  });
  test('Traditional and Simplified names in the same city; not in another city', async () => {
    const got = await dups(root, c.id);
    assert.deepEqual(got.map((x) => x.customer.id), [d.id]);
    assert.deepEqual(got[0].reasons.sort(), ['city', 'name']);
    assert.equal(got[0].score, 50);
  });
  test('nothing alike: no candidates', async () => {
    assert.deepEqual(await dups(root, f.id), []);
    assert.deepEqual((await dups(root, e.id)).map((x) => x.customer.id), [], 'a name alone is not enough');
  });
  test('a customer not yet saved is checked before it is created', async () => {
    const r = await root.post('/api/v1/customers/duplicates', { name: 'Someone Else', email: 'MARY@example.co.uk' });
    assertStatus(r, 200);
    assert.deepEqual(r.json.data.map((x) => x.customer.id), [f.id]);
    assert.deepEqual(r.json.data[0].reasons, ['email']);
    const none = await root.post('/api/v1/customers/duplicates', { name: '完全不同' });
    assert.deepEqual(none.json.data, []);
    assertError(await root.post('/api/v1/customers/duplicates', undefined, { raw: '{"name":' }), 400, 'invalid_json');
  });
  test('only candidates the caller may see', async () => {
    const mine = await create(sam, { name: '林志玲', city: '台北市', country: 'TW', phone: '0912 345 678' });
    await create(stan, { name: '林志玲', city: '台北市', country: 'TW', phone: '+886 912 345 678' });
    assert.deepEqual(await dups(sam, mine.id), [], 'the other team\'s look-alike stays hidden');
    assert.equal((await dups(root, mine.id)).length, 1);
    assertError(await stan.get(`/api/v1/customers/${mine.id}/duplicates`), 404, 'not_found');
  });
});

// Everything under a customer, as (entity, id) pairs and identifier values.
async function under(id) {
  const out = {};
  for (const entity of ['customer_identifiers', 'contacts', 'interactions', 'consents']) {
    const r = await root.get(`/api/v1/${entity}?${qs({ filter: [`customer_id:eq:${id}`], limit: 500 })}`);
    assertStatus(r, 200);
    out[entity] = r.json.data.map((x) => x.id).sort((p, q) => p - q);
    if (entity === 'customer_identifiers') out.values = r.json.data.map((x) => `${x.kind}:${x.value}`).sort();
  }
  return out;
}

describe('merge and undo', () => {
  let keep, dup, beforeKeep, beforeDup, merge;
  before(async () => {
    keep = await create(root, { name: '星辰电子', kind: 'company', country: 'CN', city: '深圳市', email: 'sales@xingchen.cn', tags: ['b2b'] });
    dup = await create(root, { name: '星辰電子有限公司', kind: 'company', country: 'CN', city: '深圳市', phone: '+86 755 8888 1234', email: 'info@xingchen.cn', tags: ['vip', 'b2b'], notes: '舊資料' });
    assertStatus(await root.post('/api/v1/customer_identifiers', { customer_id: dup.id, kind: 'member_card', value: 'XC-0001' }), 201);
    assertStatus(await root.post('/api/v1/contacts', { customer_id: dup.id, name: '李經理', email: 'li@xingchen.cn' }), 201);
    for (const [channel, subject] of [['phone', '報價'], ['email', 'Contract'], ['face_to_face', '拜訪']]) {
      assertStatus(await root.post('/api/v1/interactions', { customer_id: dup.id, channel, direction: 'inbound', subject }), 201);
    }
    assertStatus(await root.post('/api/v1/interactions', { customer_id: keep.id, channel: 'sms', direction: 'outbound', subject: '簡訊' }), 201);
    beforeKeep = await under(keep.id);
    beforeDup = await under(dup.id);
  });

  test('merge moves everything, fills empty fields, follows the caller\'s choice', async () => {
    const r = await root.post(`/api/v1/customers/${keep.id}/merge`, { duplicate_id: dup.id, fields: { email: 'duplicate' } });
    assertStatus(r, 200);
    merge = r.json.merge;
    const c = r.json.customer;
    assert.equal(c.name, '星辰电子', 'the survivor keeps its name');
    assert.equal(c.email, 'info@xingchen.cn', 'the duplicate\'s e-mail, as chosen');
    assert.equal(c.phone, '+86 755 8888 1234', 'an empty field takes the duplicate\'s value');
    assert.equal(c.notes, '舊資料');
    assert.deepEqual(c.tags, ['b2b', 'vip'], 'tags joined');
    assertError(await root.get(`/api/v1/customers/${dup.id}`), 404, 'not_found');
    const now = await under(keep.id);
    for (const entity of ['contacts', 'interactions', 'consents']) {
      assert.deepEqual(now[entity], [...beforeKeep[entity], ...beforeDup[entity]].sort((p, q) => p - q), entity);
    }
    assert.ok(now.values.includes('member_card:XC-0001'));
    assert.ok(now.values.includes('email:info@xingchen.cn'));
    assert.ok(now.values.includes('phone:+86 755 8888 1234'));
    const ov = (await root.get(`/api/v1/customers/${keep.id}/overview`)).json;
    assert.equal(ov.timeline.length, 4, 'one timeline');
    const list = (await root.get(`/api/v1/customers/${keep.id}/merges`)).json.data;
    assert.deepEqual(list.map((m) => m.id), [merge.id]);
    const audit = (await root.get('/api/v1/audit?action=customer.merge')).json.data;
    assert.ok(audit.some((x) => x.detail && x.detail.merge_id === merge.id));
  });

  test('undo brings back the duplicate and everything it had', async () => {
    const r = await root.post(`/api/v1/merges/${merge.id}/undo`);
    assertStatus(r, 200);
    assert.equal(r.json.customer.email, 'sales@xingchen.cn');
    assert.equal(r.json.customer.phone, null);
    assert.deepEqual(r.json.customer.tags, ['b2b']);
    assert.equal(r.json.duplicate.id, dup.id);
    assertStatus(await root.get(`/api/v1/customers/${dup.id}`), 200);
    const k = await under(keep.id), d = await under(dup.id);
    for (const entity of ['contacts', 'interactions', 'consents']) {
      assert.deepEqual(k[entity], beforeKeep[entity], `survivor ${entity}`);
      assert.deepEqual(d[entity], beforeDup[entity], `duplicate ${entity}`);
    }
    assert.deepEqual(k.values, beforeKeep.values, 'survivor identifiers');
    assert.deepEqual(d.values, beforeDup.values, 'duplicate identifiers');
    assertError(await root.post(`/api/v1/merges/${merge.id}/undo`), 409, 'conflict');
  });

  test('a field changed after the merge is kept on undo', async () => {
    const m = await root.post(`/api/v1/customers/${keep.id}/merge`, { duplicate_id: dup.id });
    assertStatus(m, 200);
    assertStatus(await root.patch(`/api/v1/customers/${keep.id}`, { notes: '新備註' }), 200);
    const r = await root.post(`/api/v1/merges/${m.json.merge.id}/undo`);
    assertStatus(r, 200);
    assert.deepEqual(r.json.kept, ['notes']);
    assert.equal(r.json.customer.notes, '新備註');
  });
});

describe('merge: access and bad input', () => {
  let mine, mine2, theirs;
  before(async () => {
    mine = await create(sam, { name: 'Alpha Co', kind: 'company' });
    mine2 = await create(sam, { name: 'Alpha Company', kind: 'company' });
    theirs = await create(stan, { name: 'Alpha Ltd', kind: 'company' });
  });
  test('another team\'s customer cannot be merged either way', async () => {
    assertError(await sam.post(`/api/v1/customers/${mine.id}/merge`, { duplicate_id: theirs.id }), 422, 'validation_failed', ['duplicate_id']);
    assertError(await sam.post(`/api/v1/customers/${theirs.id}/merge`, { duplicate_id: mine.id }), 404, 'not_found');
    assertStatus(await sam.get(`/api/v1/customers/${mine.id}`), 200);
  });
  test('bad requests', async () => {
    const url = `/api/v1/customers/${mine.id}/merge`;
    assertError(await sam.post(url, { duplicate_id: mine.id }), 422, 'validation_failed');
    assertError(await sam.post(url, {}), 422, 'validation_failed', ['duplicate_id']);
    assertError(await sam.post(url, { duplicate_id: 'two' }), 422, 'validation_failed', ['duplicate_id']);
    assertError(await sam.post(url, { duplicate_id: mine2.id, colour: 'red' }), 422, 'validation_failed', ['colour']);
    assertError(await sam.post(url, { duplicate_id: mine2.id, fields: { name: 'both' } }), 422, 'validation_failed', ['name']);
    assertError(await sam.post(url, { duplicate_id: mine2.id, fields: { shoe: 'duplicate' } }), 422, 'validation_failed', ['shoe']);
    assertError(await sam.post(url, { duplicate_id: mine2.id, fields: ['name'] }), 422, 'validation_failed');
    assertError(await sam.post(url, undefined, { raw: '{"duplicate_id":' }), 400, 'invalid_json');
    assertError(await sam.post(`/api/v1/customers/${mine.id}/merge`, { duplicate_id: 999999 }), 422, 'validation_failed', ['duplicate_id']);
    assertError(await sam.post('/api/v1/merges/999999/undo'), 404, 'not_found');
    assertError(await sam.post('/api/v1/merges/abc/undo'), 404, 'not_found');
    // nothing happened to either
    assertStatus(await sam.get(`/api/v1/customers/${mine2.id}`), 200);
  });
  test('someone else\'s merge cannot be undone by a caller who cannot see the survivor', async () => {
    const m = await sam.post(`/api/v1/customers/${mine.id}/merge`, { duplicate_id: mine2.id });
    assertStatus(m, 200);
    assertError(await stan.post(`/api/v1/merges/${m.json.merge.id}/undo`), 404, 'not_found');
    assertStatus(await sam.post(`/api/v1/merges/${m.json.merge.id}/undo`), 200);
  });
});
