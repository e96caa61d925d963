// Lists: every filter op on declared and custom fields (Chinese values too),
// sort asc/desc, cursor pagination without duplicates or gaps, field
// selection, q= search, deleted=true.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertStatus, listAll, qs, sleep } from './lib/server.mjs';

let srv, api;
const ds = {}; // key -> record
let pageIds = [];
let patchedAfter; // timestamp before record b was patched

const DATA = {
  a: { name: '陳大文', family_name: '陳', city: '台北市', tags: ['vip', '老客戶'], birth_date: '1980-05-01', email: 'taiman@example.com', gender: 'male', language: 'zh-Hant', vip_level: 10, segment: 'gold', is_staff: false, member_since: '2019-06-01' },
  b: { name: '王小明', city: '上海市', tags: ['vip'], birth_date: '1992-11-30', gender: 'male', language: 'zh-Hans', vip_level: 2, segment: 'silver', member_since: '2021-03-04' },
  c: { name: '李美玲', city: '台北市', tags: [], birth_date: '1975-01-15', email: 'meiling@example.com', gender: 'female', vip_level: 3, is_staff: true, member_since: '2020-01-01' },
  d: { name: 'Mary Chen', city: 'London', tags: ['newsletter'], email: 'mary.chen@example.co.uk', gender: 'female', language: 'en' },
  e: { name: '张伟', city: '上海市', tags: ['老客戶'], birth_date: '2000-02-29', vip_level: 5, segment: 'gold' },
  f: { name: 'CHENG Wei', city: '香港', tags: ['newsletter', 'vip-candidate'], birth_date: '1999-12-31', vip_level: 7, segment: 'bronze' },
};

before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
  for (const f of [
    { name: 'vip_level', type: 'integer', label: 'VIP 等級' },
    { name: 'segment', type: 'enum', values: ['gold', 'silver', 'bronze'] },
    { name: 'is_staff', type: 'boolean' },
    { name: 'member_since', type: 'date' },
  ]) assertStatus(await api.post('/api/v1/meta/entities/customers/fields', f), 201);
  for (const [k, v] of Object.entries(DATA)) {
    const r = await api.post('/api/v1/customers', { ...v, source: 'ds' });
    assertStatus(r, 201);
    ds[k] = r.json;
  }
  // 120 records for pagination, created concurrently in batches of 20
  for (let b = 0; b < 6; b++) {
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api.post('/api/v1/customers', { name: `翻頁 Page ${b * 20 + i}`, source: 'page', city: i % 2 ? '广州市' : 'Taipei' })));
    for (const r of rs) {
      assertStatus(r, 201);
      pageIds.push(r.json.id);
    }
  }
  pageIds.sort((x, y) => x - y);
  await sleep(15);
  patchedAfter = new Date(Date.now() - 1).toISOString();
  await sleep(5);
  const p = await api.patch(`/api/v1/customers/${ds.b.id}`, { notes: '更新過' });
  assertStatus(p, 200);
  ds.b = p.json;
});
after(async () => srv && srv.close());

async function names(params) {
  const filters = ['source:eq:ds'].concat(params.filter || []);
  const r = await api.get(`/api/v1/customers?${qs({ ...params, filter: filters })}`);
  assertStatus(r, 200);
  assert.ok(Array.isArray(r.json.data));
  assert.equal(r.json.next_cursor, null);
  const byId = Object.fromEntries(Object.entries(ds).map(([k, v]) => [v.id, k]));
  return r.json.data.map((x) => byId[x.id] ?? `?${x.id}`).sort().join('');
}

describe('filters', () => {
  const CASES = [
    // declared string fields, Chinese values
    ['name:eq:王小明', 'b'],
    ['city:eq:台北市', 'ac'],
    ['city:ne:台北市', 'bdef'],
    ['city:in:台北市,上海市', 'abce'],
    ['city:in:香港', 'f'],
    ['name:contains:大文', 'a'],
    ['name:contains:chen', 'df'],
    ['name:contains:CHEN', 'df'],
    ['name:prefix:陳', 'a'],
    ['name:prefix:Mary', 'd'],
    ['name:prefix:大文', ''],
    ['family_name:eq:陳', 'a'],
    ['family_name:null:true', 'bcdef'],
    ['email:null:true', 'bef'],
    ['email:null:false', 'acd'],
    ['email:eq:mary.chen@example.co.uk', 'd'],
    ['gender:eq:female', 'cd'],
    ['gender:in:male,female', 'abcd'],
    ['language:eq:zh-Hant', 'a'],
    // dates
    ['birth_date:lt:1980-05-01', 'c'],
    ['birth_date:le:1980-05-01', 'ac'],
    ['birth_date:gt:1999-12-31', 'e'],
    ['birth_date:ge:1999-12-31', 'ef'],
    ['birth_date:null:true', 'd'],
    // tags: contains = has this tag (not substring)
    ['tags:contains:vip', 'ab'],
    ['tags:contains:老客戶', 'ae'],
    ['tags:contains:newsletter', 'df'],
    // custom integer: numeric, not lexicographic (10 > 3)
    ['vip_level:eq:10', 'a'],
    ['vip_level:gt:3', 'aef'],
    ['vip_level:ge:3', 'acef'],
    ['vip_level:lt:3', 'b'],
    ['vip_level:le:3', 'bc'],
    ['vip_level:in:2,10', 'ab'],
    ['vip_level:null:true', 'd'],
    ['vip_level:null:false', 'abcef'],
    // custom enum, boolean, date
    ['segment:eq:gold', 'ae'],
    ['segment:in:silver,bronze', 'bf'],
    ['is_staff:eq:true', 'c'],
    ['is_staff:eq:false', 'a'],
    ['member_since:ge:2020-01-01', 'bc'],
    ['member_since:lt:2020-01-01', 'a'],
  ];
  for (const [f, want] of CASES) {
    test(f, async () => {
      assert.equal(await names({ filter: [f] }), want);
    });
  }

  test('several filters must all hold', async () => {
    assert.equal(await names({ filter: ['city:eq:台北市', 'gender:eq:female'] }), 'c');
    assert.equal(await names({ filter: ['tags:contains:vip', 'vip_level:gt:5'] }), 'a');
    assert.equal(await names({ filter: ['city:eq:上海市', 'segment:eq:gold', 'birth_date:ge:2000-01-01'] }), 'e');
  });

  test('id, created_at, updated_at (values containing colons)', async () => {
    assert.equal(await names({ filter: [`id:gt:${ds.c.id}`] }), 'def');
    assert.equal(await names({ filter: [`id:le:${ds.b.id}`] }), 'ab');
    assert.equal(await names({ filter: [`id:in:${ds.a.id},${ds.f.id}`] }), 'af');
    assert.equal(await names({ filter: [`id:eq:${ds.d.id}`] }), 'd');
    assert.equal(await names({ filter: [`created_at:le:${ds.f.created_at}`] }), 'abcdef');
    assert.equal(await names({ filter: [`created_at:ge:${ds.a.created_at}`] }), 'abcdef');
    assert.equal(await names({ filter: [`created_at:lt:${ds.a.created_at}`] }), '');
    assert.equal(await names({ filter: [`updated_at:gt:${patchedAfter}`] }), 'b');
  });

  test('filters on other entities (interactions by channel, contacts by customer)', async () => {
    const co = (await api.post('/api/v1/customers', { name: '联想集团', kind: 'company' })).json;
    const ct = await api.post('/api/v1/contacts', { customer_id: co.id, name: '刘经理', city: '北京市' });
    assertStatus(ct, 201);
    for (const ch of ['phone', 'email', 'phone', 'chat']) {
      assertStatus(await api.post('/api/v1/interactions', { customer_id: co.id, channel: ch, direction: 'inbound', subject: `${ch} 來電` }), 201);
    }
    const r = await listAll(api, 'interactions', { filter: [`customer_id:eq:${co.id}`, 'channel:eq:phone'] });
    assert.equal(r.length, 2);
    assert.ok(r.every((x) => x.channel === 'phone' && x.customer_id === co.id));
    const r2 = await listAll(api, 'interactions', { filter: [`customer_id:eq:${co.id}`, 'subject:contains:來電'] });
    assert.equal(r2.length, 4);
    const c = await listAll(api, 'contacts', { filter: [`customer_id:eq:${co.id}`, 'city:eq:北京市'] });
    assert.deepEqual(c.map((x) => x.name), ['刘经理']);
  });
});

describe('q= search', () => {
  test('substring, case-insensitive, Chinese', async () => {
    assert.equal(await names({ q: '大文' }), 'a');
    assert.equal(await names({ q: '小明' }), 'b');
    // 陳大文 too: its name in pinyin is chen dawen
    assert.equal(await names({ q: 'chen' }), 'adf');
    assert.equal(await names({ q: 'CHEN' }), 'adf');
    assert.equal(await names({ q: 'zzz-not-there' }), '');
  });
  test('q combines with filters', async () => {
    assert.equal(await names({ q: 'chen', filter: ['gender:eq:female'] }), 'd');
  });
});

describe('special characters are literal', () => {
  let ids;
  before(async () => {
    ids = {};
    for (const [k, name] of [['pct', '100% 純棉 Cotton'], ['us', 'a_b 有限公司'], ['plain', 'ab 有限公司'], ['q', "O'Neil \"Quote\""], ['mu', 'Müller GmbH'], ['bs', 'back\\slash']]) {
      const r = await api.post('/api/v1/customers', { name, source: 'special' });
      assertStatus(r, 201);
      ids[r.json.id] = k;
    }
  });
  const got = async (params) => {
    const r = await api.get(`/api/v1/customers?${qs({ ...params, filter: ['source:eq:special'].concat(params.filter || []) })}`);
    assertStatus(r, 200);
    return r.json.data.map((x) => ids[x.id]).sort().join(',');
  };
  test('q=% and q=_ are not wildcards', async () => {
    assert.equal(await got({ q: '%' }), 'pct');
    assert.equal(await got({ q: '_' }), 'us');
    assert.equal(await got({ q: 'a_b' }), 'us');
    assert.equal(await got({ q: '\\' }), 'bs');
  });
  test('contains/prefix/eq with %, _, quotes and backslash', async () => {
    assert.equal(await got({ filter: ['name:contains:%'] }), 'pct');
    assert.equal(await got({ filter: ['name:contains:_'] }), 'us');
    assert.equal(await got({ filter: ['name:prefix:a_'] }), 'us');
    assert.equal(await got({ filter: ['name:prefix:100%'] }), 'pct');
    assert.equal(await got({ filter: ["name:contains:'Neil"] }), 'q');
    assert.equal(await got({ filter: ['name:contains:"Quote"'] }), 'q');
    assert.equal(await got({ filter: ["name:eq:' OR 1=1 --"] }), '');
    assert.equal(await got({ filter: ['name:contains:\\'] }), 'bs');
  });
  test('case-insensitive beyond ASCII (Müller / MÜLLER)', async () => {
    assert.equal(await got({ q: 'MÜLLER' }), 'mu');
    assert.equal(await got({ filter: ['name:contains:müller'] }), 'mu');
  });
});

describe('sort', () => {
  test('default is id ascending; sort=id and sort=-id', async () => {
    const def = (await listAll(api, 'customers', { filter: 'source:eq:ds' })).map((x) => x.id);
    const asc = (await listAll(api, 'customers', { filter: 'source:eq:ds', sort: 'id' })).map((x) => x.id);
    const desc = (await listAll(api, 'customers', { filter: 'source:eq:ds', sort: '-id' })).map((x) => x.id);
    const want = Object.values(ds).map((x) => x.id).sort((a, b) => a - b);
    assert.deepEqual(def, want);
    assert.deepEqual(asc, want);
    assert.deepEqual(desc, [...want].reverse());
  });
  test('-updated_at puts the last changed first', async () => {
    const r = await listAll(api, 'customers', { filter: 'source:eq:ds', sort: '-updated_at' });
    assert.equal(r[0].id, ds.b.id);
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].updated_at >= r[i].updated_at);
    const up = await listAll(api, 'customers', { filter: 'source:eq:ds', sort: 'updated_at' });
    assert.equal(up[up.length - 1].id, ds.b.id);
  });
  test('created_at ascending and descending', async () => {
    const r = await listAll(api, 'customers', { filter: 'source:eq:ds', sort: 'created_at' });
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].created_at <= r[i].created_at);
    const d = await listAll(api, 'customers', { filter: 'source:eq:ds', sort: '-created_at' });
    for (let i = 1; i < d.length; i++) assert.ok(d[i - 1].created_at >= d[i].created_at);
    assert.equal(d[0].id, ds.f.id);
  });
});

describe('cursor pagination', () => {
  async function walk(sort, limit) {
    const seen = [];
    const sizes = [];
    let cursor = null;
    for (let i = 0; i < 200; i++) {
      const p = { filter: 'source:eq:page', ...(limit ? { limit } : {}), ...(sort ? { sort } : {}) };
      if (cursor) p.cursor = cursor;
      const r = await api.get(`/api/v1/customers?${qs(p)}`);
      assertStatus(r, 200);
      sizes.push(r.json.data.length);
      seen.push(...r.json.data);
      cursor = r.json.next_cursor;
      if (cursor === null) return { seen, sizes };
      assert.equal(typeof cursor, 'string');
      assert.ok(cursor.length > 0);
    }
    throw new Error('did not end');
  }
  const check = (seen) => {
    const ids = seen.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual([...ids].sort((a, b) => a - b), pageIds, 'no gaps');
  };
  test('120 records, limit 50, sort=id: pages 50/50/20 in order', async () => {
    const { seen, sizes } = await walk('id', 50);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.deepEqual(seen.map((x) => x.id), pageIds);
  });
  test('default sort and limit: 50 per page', async () => {
    const { seen, sizes } = await walk(undefined, undefined);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.deepEqual(seen.map((x) => x.id), pageIds);
  });
  test('sort=-id, limit 50', async () => {
    const { seen, sizes } = await walk('-id', 50);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.deepEqual(seen.map((x) => x.id), [...pageIds].reverse());
  });
  test('sort=-updated_at, limit 7 (ties in timestamps)', async () => {
    const { seen } = await walk('-updated_at', 7);
    check(seen);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].updated_at >= seen[i].updated_at);
  });
  test('sort=created_at, limit 13', async () => {
    const { seen } = await walk('created_at', 13);
    check(seen);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].created_at <= seen[i].created_at);
  });
  test('sort=city and -city (indexed, many ties), limit 7: no duplicates or gaps, cities contiguous', async () => {
    for (const sort of ['city', '-city']) {
      const { seen } = await walk(sort, 7);
      check(seen);
      const blocks = seen.map((x) => x.city).filter((c, i, a) => i === 0 || a[i - 1] !== c);
      assert.equal(blocks.length, 2, `${sort}: cities contiguous, got ${blocks}`);
    }
    const asc = (await walk('city', 7)).seen.map((x) => x.city);
    const desc = (await walk('-city', 7)).seen.map((x) => x.city);
    assert.equal(asc[0], desc[desc.length - 1]);
    assert.notEqual(asc[0], desc[0]);
  });
  test('sort=region over values and nulls, both directions, limit 2: every record once', async () => {
    const want = Object.values(ds).map((x) => x.id).sort((a, b) => a - b);
    for (const sort of ['region', '-region', 'email', '-email']) {
      const got = (await listAll(api, 'customers', { filter: 'source:eq:ds', sort }, { limit: 2 })).map((x) => x.id);
      assert.deepEqual([...got].sort((a, b) => a - b), want, sort);
    }
  });
  test('sort=name on Chinese and English names: desc is the reverse of asc', async () => {
    const asc = (await listAll(api, 'customers', { filter: 'source:eq:ds', sort: 'name' }, { limit: 2 })).map((x) => x.id);
    const desc = (await listAll(api, 'customers', { filter: 'source:eq:ds', sort: '-name' }, { limit: 2 })).map((x) => x.id);
    assert.equal(asc.length, 6);
    assert.deepEqual(desc, [...asc].reverse());
  });
  test('limit=1 walks every record', async () => {
    const { seen, sizes } = await walk('id', 1);
    assert.equal(sizes.length, 120);
    check(seen);
  });
  test('limit=500 returns all with next_cursor null', async () => {
    const { seen, sizes } = await walk('id', 500);
    assert.deepEqual(sizes, [120]);
    check(seen);
  });
  test('limit 60: two full pages (a trailing empty page is allowed)', async () => {
    const { seen, sizes } = await walk('id', 60);
    assert.deepEqual(sizes.slice(0, 2), [60, 60]);
    assert.ok(sizes.length === 2 || (sizes.length === 3 && sizes[2] === 0), `sizes ${sizes}`);
    check(seen);
  });
});

describe('fields selection', () => {
  test('fields=name returns id and name only', async () => {
    const r = await api.get(`/api/v1/customers?${qs({ filter: 'source:eq:ds', fields: 'name' })}`);
    assertStatus(r, 200);
    assert.equal(r.json.data.length, 6);
    for (const x of r.json.data) assert.deepEqual(Object.keys(x).sort(), ['id', 'name']);
  });
  test('fields with declared and custom fields', async () => {
    const r = await api.get(`/api/v1/customers?${qs({ filter: `id:eq:${ds.a.id}`, fields: 'id,city,tags,vip_level' })}`);
    assertStatus(r, 200);
    assert.deepEqual(r.json.data, [{ id: ds.a.id, city: '台北市', tags: ['vip', '老客戶'], vip_level: 10 }]);
  });
});

describe('deleted=true', () => {
  test('lists soft-deleted records only; restore brings them back', async () => {
    const r = await api.post('/api/v1/customers', { name: '將被刪除', source: 'del' });
    const r2 = await api.post('/api/v1/customers', { name: '保留', source: 'del' });
    assertStatus(await api.del(`/api/v1/customers/${r.json.id}`), 204);
    const live = await listAll(api, 'customers', { filter: 'source:eq:del' });
    const dead = await listAll(api, 'customers', { filter: 'source:eq:del', deleted: 'true' });
    assert.deepEqual(live.map((x) => x.id), [r2.json.id]);
    assert.deepEqual(dead.map((x) => x.id), [r.json.id]);
    assertStatus(await api.post(`/api/v1/customers/${r.json.id}/restore`), 200);
    assert.equal((await listAll(api, 'customers', { filter: 'source:eq:del' })).length, 2);
    assert.equal((await listAll(api, 'customers', { filter: 'source:eq:del', deleted: 'true' })).length, 0);
  });
});
