// CRUD on every entity: 201 + Location, read, PATCH, versions and If-Match,
// soft delete and restore, references, uniqueness of identifiers, Chinese data,
// unknown entities and ids, methods.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, TS_RE, listAll } from './lib/server.mjs';

let srv, api;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
});
after(async () => srv && srv.close());

async function create(entity, body) {
  const r = await api.post(`/api/v1/${entity}`, body);
  assertStatus(r, 201);
  return r.json;
}

describe('customers', () => {
  test('POST creates: 201, the record, Location, id/version/timestamps', async () => {
    const before = Date.now();
    const r = await api.post('/api/v1/customers', {
      name: '陳大文', family_name: '陳', given_name: '大文', local_name: '陳大文',
      city: '台北市', country: 'TW', language: 'zh-Hant', email: 'tai-man.chan@example.com',
      tags: ['vip', '老客戶'], kind: 'person', notes: '第一行\n第二行\t縮排',
    });
    assertStatus(r, 201);
    const c = r.json;
    assert.equal(typeof c.id, 'number');
    assert.ok(Number.isInteger(c.id) && c.id > 0);
    assert.equal(c.version, 1);
    assert.match(c.created_at, TS_RE);
    assert.match(c.updated_at, TS_RE);
    assert.equal(c.created_at, c.updated_at);
    const t = Date.parse(c.created_at);
    assert.ok(t >= before - 2000 && t <= Date.now() + 2000, `created_at ${c.created_at} not now`);
    assert.equal(c.name, '陳大文');
    assert.equal(c.local_name, '陳大文');
    assert.equal(c.city, '台北市');
    assert.equal(c.country, 'TW');
    assert.equal(c.language, 'zh-Hant');
    assert.equal(c.email, 'tai-man.chan@example.com');
    assert.deepEqual(c.tags, ['vip', '老客戶']);
    assert.equal(c.notes, '第一行\n第二行\t縮排');
    assert.equal(c.kind, 'person');
    const loc = r.headers.get('location');
    assert.ok(loc, 'Location header');
    assert.ok(loc.endsWith(`/api/v1/customers/${c.id}`), `Location ${loc}`);
    // GET returns the same record
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assertStatus(g, 200);
    assert.deepEqual(g.json, c);
  });

  test('defaults: kind person, owner_id the caller', async () => {
    const me = await api.get('/api/v1/auth/me');
    assertStatus(me, 200);
    const c = await create('customers', { name: 'Default Person' });
    assert.equal(c.kind, 'person');
    assert.equal(c.owner_id, me.json.user.id);
  });

  test('Chinese (Traditional, Simplified) and English round-trip exactly', async () => {
    const samples = [
      { name: '王小明', city: '上海市', address: '上海市浦东新区世纪大道100号', region: '上海' },
      { name: '陳大文', city: '台北市', address: '台北市信義區市府路1號', region: '臺灣' },
      { name: 'Mary O\'Brien-Smith', city: 'London', address: '10 Downing St., Westminster' },
      { name: '李四 Li Si 😀', city: '香港', notes: 'emoji 🎉 and 中文 mixed' },
    ];
    for (const s of samples) {
      const c = await create('customers', s);
      const g = await api.get(`/api/v1/customers/${c.id}`);
      for (const [k, v] of Object.entries(s)) assert.equal(g.json[k], v, `${k} round-trip`);
      // raw bytes are UTF-8 (not \u escapes required, but the decoded value must match)
      assert.ok(g.headers.get('content-type').startsWith('application/json'));
    }
  });

  test('PATCH updates given fields only, version +1, updated_at advances', async () => {
    const c = await create('customers', { name: '王小明', city: '上海市', region: '上海' });
    await new Promise((r) => setTimeout(r, 5));
    const p = await api.patch(`/api/v1/customers/${c.id}`, { city: '北京市' });
    assertStatus(p, 200);
    assert.equal(p.json.version, 2);
    assert.equal(p.json.city, '北京市');
    assert.equal(p.json.region, '上海');
    assert.equal(p.json.name, '王小明');
    assert.equal(p.json.created_at, c.created_at);
    assert.ok(p.json.updated_at > c.updated_at, `${p.json.updated_at} > ${c.updated_at}`);
    const p2 = await api.patch(`/api/v1/customers/${c.id}`, { region: null });
    assertStatus(p2, 200);
    assert.equal(p2.json.version, 3);
    assert.equal(p2.json.region ?? null, null, 'null clears an optional field');
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assert.deepEqual(g.json, p2.json);
  });

  test('PATCH that changes nothing keeps the version and adds no history', async () => {
    const c = await create('customers', { name: '不變 Same', city: '澳門' });
    for (const body of [{}, { name: '不變 Same' }, { city: '澳門', name: '不變 Same' }]) {
      const p = await api.patch(`/api/v1/customers/${c.id}`, body);
      assertStatus(p, 200);
      assert.equal(p.json.version, 1);
      assert.equal(p.json.updated_at, c.updated_at);
    }
    assert.equal((await api.get(`/api/v1/customers/${c.id}/history`)).json.data.length, 1);
  });

  test('PATCH null on a required field → 422 and nothing changes', async () => {
    const c = await create('customers', { name: 'Required Name' });
    const p = await api.patch(`/api/v1/customers/${c.id}`, { name: null });
    assertError(p, 422, 'validation_failed', ['name']);
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assert.deepEqual(g.json, c);
  });

  test('If-Match: current version passes (bare and quoted), stale → 412 version_mismatch', async () => {
    const c = await create('customers', { name: 'If-Match 測試' });
    const ok = await api.patch(`/api/v1/customers/${c.id}`, { city: 'A' }, { headers: { 'If-Match': '1' } });
    assertStatus(ok, 200);
    assert.equal(ok.json.version, 2);
    const ok2 = await api.patch(`/api/v1/customers/${c.id}`, { city: 'B' }, { headers: { 'If-Match': '"2"' } });
    assertStatus(ok2, 200);
    assert.equal(ok2.json.version, 3);
    const stale = await api.patch(`/api/v1/customers/${c.id}`, { city: 'C' }, { headers: { 'If-Match': '2' } });
    assertError(stale, 412, 'version_mismatch');
    const future = await api.patch(`/api/v1/customers/${c.id}`, { city: 'C' }, { headers: { 'If-Match': '99' } });
    assertError(future, 412, 'version_mismatch');
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assert.equal(g.json.version, 3);
    assert.equal(g.json.city, 'B');
  });

  test('DELETE honours If-Match; soft delete → 404; restore → 200; history kept', async () => {
    const c = await create('customers', { name: '刪除 測試', city: '台中市' });
    const stale = await api.del(`/api/v1/customers/${c.id}`, { headers: { 'If-Match': '7' } });
    assertError(stale, 412, 'version_mismatch');
    assertStatus(await api.get(`/api/v1/customers/${c.id}`), 200);

    const d = await api.del(`/api/v1/customers/${c.id}`, { headers: { 'If-Match': '1' } });
    assertStatus(d, 204);
    assert.equal(d.text, '');
    assertError(await api.get(`/api/v1/customers/${c.id}`), 404, 'not_found');
    assertError(await api.patch(`/api/v1/customers/${c.id}`, { city: 'X' }), 404, 'not_found');
    assertError(await api.del(`/api/v1/customers/${c.id}`), 404, 'not_found');
    // not in the list, but in the deleted list
    const live = await listAll(api, 'customers');
    assert.ok(!live.some((x) => x.id === c.id));
    const dead = await listAll(api, 'customers', { deleted: 'true' });
    assert.ok(dead.some((x) => x.id === c.id), 'deleted=true lists it');
    assert.ok(!dead.some((x) => x.id !== c.id && live.some((l) => l.id === x.id)), 'deleted list has no live records');

    const r = await api.post(`/api/v1/customers/${c.id}/restore`);
    assertStatus(r, 200);
    assert.equal(r.json.id, c.id);
    assert.equal(r.json.name, '刪除 測試');
    assert.equal(r.json.city, '台中市');
    assert.ok(r.json.version > 1, `version after delete+restore: ${r.json.version}`);
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assertStatus(g, 200);
    assert.deepEqual(g.json, r.json);
    // restoring a live record is not possible / unknown record is 404
    assertError(await api.post('/api/v1/customers/987654/restore'), 404, 'not_found');
  });

  test('DELETE without If-Match works; unknown id → 404', async () => {
    const c = await create('customers', { name: 'Plain delete' });
    assertStatus(await api.del(`/api/v1/customers/${c.id}`), 204);
    assertError(await api.del('/api/v1/customers/987654'), 404, 'not_found');
  });

  test('company kind; enum fields accept declared values', async () => {
    const c = await create('customers', {
      name: '台積電 TSMC', kind: 'company', relationship_type: 'partner', customer_class: 'manufacturer',
      gender: 'unknown', preferred_channel: 'face_to_face', birth_date: '1987-02-21', country: 'TW',
      phone: '+886 3 563 6688', mobile: '(02) 2345-6789',
    });
    assert.equal(c.kind, 'company');
    assert.equal(c.relationship_type, 'partner');
    assert.equal(c.customer_class, 'manufacturer');
    assert.equal(c.preferred_channel, 'face_to_face');
    assert.equal(c.birth_date, '1987-02-21');
  });

  test('e-mail and phone of a customer are unique identifiers → 409 conflict', async () => {
    const a = await create('customers', { name: 'Unique A', email: 'unique.a@example.com', phone: '+86 138 0013 8000' });
    const before = (await listAll(api, 'customers')).length;
    assertError(await api.post('/api/v1/customers', { name: 'Unique B', email: 'Unique.A@Example.com' }), 409, 'conflict');
    assertError(await api.post('/api/v1/customers', { name: 'Unique C', phone: '+8613800138000' }), 409, 'conflict');
    const b = await create('customers', { name: 'Unique D' });
    assertError(await api.patch(`/api/v1/customers/${b.id}`, { email: 'unique.a@example.com' }), 409, 'conflict');
    assert.equal((await listAll(api, 'customers')).length, before + 1);
    const g = await api.get(`/api/v1/customers/${b.id}`);
    assert.equal(g.json.version, 1);
    assert.equal(g.json.email ?? null, null);
    // the customer's e-mail shows as an identifier
    const ids = await listAll(api, 'customer_identifiers', { filter: `customer_id:eq:${a.id}` });
    const kinds = ids.map((i) => i.kind).sort();
    assert.ok(kinds.includes('email'), `identifiers of customer: ${JSON.stringify(ids)}`);
    assert.ok(kinds.includes('phone'), `identifiers of customer: ${JSON.stringify(ids)}`);
  });
});

describe('customer e-mail/phone/mobile as identifiers', () => {
  test('mobile conflicts with another customer phone after normalisation', async () => {
    await create('customers', { name: '手機 A', mobile: '+852 9123 4567' });
    assertError(await api.post('/api/v1/customers', { name: '手機 B', phone: '+85291234567' }), 409, 'conflict');
  });
  test('changing a customer e-mail releases the old one', async () => {
    const a = await create('customers', { name: 'Mail A', email: 'first@example.hk' });
    assertStatus(await api.patch(`/api/v1/customers/${a.id}`, { email: 'second@example.hk' }), 200);
    const b = await api.post('/api/v1/customers', { name: 'Mail B', email: 'first@example.hk' });
    assertStatus(b, 201);
    assertError(await api.post('/api/v1/customers', { name: 'Mail C', email: 'second@example.hk' }), 409, 'conflict');
    const ids = await listAll(api, 'customer_identifiers', { filter: [`customer_id:eq:${a.id}`, 'kind:eq:email'] });
    assert.deepEqual(ids.map((i) => i.value.toLowerCase()), ['second@example.hk']);
  });
});

describe('contacts', () => {
  test('CRUD on a company customer; person customer is rejected', async () => {
    const co = await create('customers', { name: '华为技术有限公司', kind: 'company', city: '深圳市' });
    const person = await create('customers', { name: '张三', kind: 'person' });
    const r = await api.post('/api/v1/contacts', { customer_id: co.id, name: '李雷', role: '采购经理', city: '深圳市', email: 'li.lei@huawei.example' });
    assertStatus(r, 201);
    assert.ok(r.headers.get('location').endsWith(`/api/v1/contacts/${r.json.id}`));
    assert.equal(r.json.customer_id, co.id);
    assert.equal(r.json.role, '采购经理');
    assert.equal(r.json.version, 1);
    const p = await api.patch(`/api/v1/contacts/${r.json.id}`, { role: '总监' });
    assertStatus(p, 200);
    assert.equal(p.json.role, '总监');
    assert.equal(p.json.version, 2);
    const bad = await api.post('/api/v1/contacts', { customer_id: person.id, name: '韩梅梅' });
    assertError(bad, 422, 'validation_failed', ['customer_id']);
    const missing = await api.post('/api/v1/contacts', { customer_id: 987654, name: '韩梅梅' });
    assertError(missing, 422, 'validation_failed', ['customer_id']);
    assertError(await api.post('/api/v1/contacts', { name: 'No customer' }), 422, 'validation_failed', ['customer_id']);
    assertStatus(await api.del(`/api/v1/contacts/${r.json.id}`), 204);
    assertError(await api.get(`/api/v1/contacts/${r.json.id}`), 404, 'not_found');
    assertStatus(await api.post(`/api/v1/contacts/${r.json.id}/restore`), 200);
  });

  test('reference to a deleted customer → 422', async () => {
    const co = await create('customers', { name: 'Deleted Co', kind: 'company' });
    assertStatus(await api.del(`/api/v1/customers/${co.id}`), 204);
    const r = await api.post('/api/v1/contacts', { customer_id: co.id, name: 'Orphan' });
    assertError(r, 422, 'validation_failed', ['customer_id']);
  });
});

describe('customer_identifiers', () => {
  test('create and uniqueness per kind after normalisation', async () => {
    const c = await create('customers', { name: '王五' });
    const c2 = await create('customers', { name: '赵六' });
    const cases = [
      ['email', 'Wang.Wu@Example.COM', 'wang.wu@example.com'],
      ['phone', '+886 2 2345-6789', '+886223456789'],
      ['plate', 'abc-1234', 'ABC 1234'],
      ['member_card', 'mc 0001-23', 'MC000123'],
    ];
    for (const [kind, v1, v2] of cases) {
      const r = await api.post('/api/v1/customer_identifiers', { customer_id: c.id, kind, value: v1 });
      assertStatus(r, 201);
      assert.equal(r.json.kind, kind);
      assert.equal(r.json.customer_id, c.id);
      assertError(await api.post('/api/v1/customer_identifiers', { customer_id: c2.id, kind, value: v2 }), 409, 'conflict');
    }
    // same value, other kind is fine
    const other = await api.post('/api/v1/customer_identifiers', { customer_id: c2.id, kind: 'external_id', value: 'ABC1234' });
    assertStatus(other, 201);
    // only c's four identifiers + c2's one exist for these customers
    const all = await listAll(api, 'customer_identifiers', { filter: `customer_id:in:${c.id},${c2.id}` });
    assert.equal(all.length, 5);
  });

  test('identifier equal to another customer e-mail → 409', async () => {
    await create('customers', { name: 'Has Mail', email: 'has.mail@example.org' });
    const c = await create('customers', { name: 'Other' });
    assertError(await api.post('/api/v1/customer_identifiers', { customer_id: c.id, kind: 'email', value: 'HAS.MAIL@example.org' }), 409, 'conflict');
  });

  test('required fields and kind enum', async () => {
    const c = await create('customers', { name: 'Ident Req' });
    assertError(await api.post('/api/v1/customer_identifiers', { customer_id: c.id, kind: 'passport', value: 'X1' }), 422, 'validation_failed', ['kind']);
    assertError(await api.post('/api/v1/customer_identifiers', { customer_id: c.id, kind: 'plate' }), 422, 'validation_failed', ['value']);
    assertError(await api.post('/api/v1/customer_identifiers', { kind: 'plate', value: 'Q1' }), 422, 'validation_failed', ['customer_id']);
    assertError(await api.post('/api/v1/customer_identifiers', { customer_id: c.id, kind: 'plate', value: 'x'.repeat(201) }), 422, 'validation_failed', ['value']);
  });
});

describe('interactions', () => {
  test('create with defaults occurred_at=now, user_id=caller', async () => {
    const me = (await api.get('/api/v1/auth/me')).json.user;
    const c = await create('customers', { name: 'Interaction 客户' });
    const t0 = Date.now();
    const r = await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'phone', direction: 'inbound', subject: '投訴：送貨延遲', body: '客戶來電。\n已處理。', outcome: '已解決' });
    assertStatus(r, 201);
    assert.equal(r.json.user_id, me.id);
    assert.match(r.json.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(Math.abs(Date.parse(r.json.occurred_at) - t0) < 60000);
    assert.equal(r.json.subject, '投訴：送貨延遲');
    const r2 = await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'face_to_face', direction: 'outbound', occurred_at: '2024-05-06T07:08:09Z' });
    assertStatus(r2, 201);
    assert.equal(Date.parse(r2.json.occurred_at), Date.parse('2024-05-06T07:08:09Z'));
  });

  test('channel, direction, occurred_at, contact_id validated', async () => {
    const c = await create('customers', { name: 'Interaction V' });
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'pigeon', direction: 'inbound' }), 422, 'validation_failed', ['channel']);
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'sms' }), 422, 'validation_failed', ['direction']);
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'sms', direction: 'sideways' }), 422, 'validation_failed', ['direction']);
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'sms', direction: 'inbound', occurred_at: 'yesterday' }), 422, 'validation_failed', ['occurred_at']);
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'sms', direction: 'inbound', contact_id: 987654 }), 422, 'validation_failed', ['contact_id']);
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'sms', direction: 'inbound', subject: 's'.repeat(301) }), 422, 'validation_failed', ['subject']);
    assertError(await api.post('/api/v1/interactions', { customer_id: c.id, channel: 'sms', direction: 'inbound', user_id: 987654 }), 422, 'validation_failed', ['user_id']);
  });
});

describe('concurrent writes', () => {
  test('10 PATCHes with the same If-Match: exactly one wins, the rest 412', async () => {
    const c = await create('customers', { name: '並發 If-Match' });
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      api.patch(`/api/v1/customers/${c.id}`, { city: `城市 ${i}` }, { headers: { 'If-Match': '1' } })));
    const ok = rs.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, rs.map((r) => r.status).join(','));
    for (const r of rs) if (r.status !== 200) assertError(r, 412, 'version_mismatch');
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assert.equal(g.json.version, 2);
    assert.equal(g.json.city, ok[0].json.city);
    assert.equal((await api.get(`/api/v1/customers/${c.id}/history`)).json.data.length, 2);
  });
  test('20 concurrent PATCHes without If-Match: no lost update, version 21, 21 history entries', async () => {
    const c = await create('customers', { name: '並發 No If-Match' });
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api.patch(`/api/v1/customers/${c.id}`, { notes: `第 ${i} 次` })));
    for (const r of rs) assertStatus(r, 200);
    assert.deepEqual(rs.map((r) => r.json.version).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 2));
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assert.equal(g.json.version, 21);
    assert.equal((await api.get(`/api/v1/customers/${c.id}/history`)).json.data.length, 21);
  });
  test('10 concurrent creates with the same e-mail: one 201, nine 409', async () => {
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      api.post('/api/v1/customers', { name: `同郵 ${i}`, email: 'race@example.tw' })));
    assert.equal(rs.filter((r) => r.status === 201).length, 1, rs.map((r) => r.status).join(','));
    for (const r of rs) if (r.status !== 201) assertError(r, 409, 'conflict');
    assert.equal((await listAll(api, 'customers', { filter: 'email:eq:race@example.tw' })).length, 1);
  });
});

describe('routing', () => {
  test('unknown entity → 404', async () => {
    assertError(await api.get('/api/v1/widgets'), 404, 'not_found');
    assertError(await api.get('/api/v1/widgets/1'), 404, 'not_found');
    assertError(await api.post('/api/v1/widgets', { name: 'x' }), 404, 'not_found');
    assertError(await api.get('/api/v1/nope/really/deep/path'), 404, 'not_found');
    assertError(await api.get('/api/v2/customers'), 404, 'not_found');
  });

  test('non-integer or out-of-range ids → 404', async () => {
    for (const id of ['abc', '1.5', '-1', '0', '1e3', '99999999999999999999999', '%20', '1%00', '0x10', '１']) {
      for (const m of ['GET', 'PATCH', 'DELETE']) {
        const r = await api.call(m, `/api/v1/customers/${id}`, m === 'PATCH' ? { body: { name: 'x' } } : {});
        assertError(r, 404, 'not_found');
      }
      assertError(await api.get(`/api/v1/customers/${id}/history`), 404, 'not_found');
      assertError(await api.post(`/api/v1/customers/${id}/restore`), 404, 'not_found');
    }
  });

  test('known path, other method → 405', async () => {
    const c = await create('customers', { name: 'Method' });
    assertError(await api.put(`/api/v1/customers/${c.id}`, { name: 'x' }), 405, 'method_not_allowed');
    assertError(await api.del('/api/v1/customers'), 405, 'method_not_allowed');
    assertError(await api.patch('/api/v1/customers', { name: 'x' }), 405, 'method_not_allowed');
    assertError(await api.post(`/api/v1/customers/${c.id}`, { name: 'x' }), 405, 'method_not_allowed');
    const g = await api.get(`/api/v1/customers/${c.id}`);
    assert.deepEqual(g.json, c);
  });
});
