// Search hits say where the query is in the matched field: "highlight":
// {field, text, offset, length, ranges} in code points, found in the
// search form the index uses, so 客户 marks 客戶, ＡＢＣ marks abc, a phone
// number typed any way marks its digits, and a pinyin match (wxm) marks
// the whole name. The answer's other members are as before.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, mia;
const ids = {};
before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }],
    users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' }, { name: 'mia', role: 'marketing', team: 'north' }],
  });
  root = srv.api('root');
  sam = srv.api('sam');
  mia = srv.api('mia');
  const mk = async (body) => { const r = await root.post('/api/v1/customers', body); assertStatus(r, 201); return r.json.id; };
  ids.kehu = await mk({ kind: 'company', name: 'Wang Kehu Trading', local_name: '王客戶', mobile: '+86 138 0013 8000', email: 'kehu@example.cn' });
  ids.abc = await mk({ kind: 'company', name: 'abc Trading 商行', city: '台中' });
  ids.wxm = await mk({ name: 'Wang Xiaoming', local_name: '王小明' });
  ids.muller = await mk({ name: 'Anna Müller', city: 'Berlin' });
  ids.lee = await mk({ name: '李四', owner_id: (await root.get('/api/v1/users')).json.data.find((u) => u.name === 'sam').id });
  const subject = '回訪'.repeat(125) + '客戶滿意度調查' + '。'.repeat(20);
  ids.long = (await root.post('/api/v1/interactions', { customer_id: ids.kehu, channel: 'phone', direction: 'outbound', subject })).json.id;
});
after(async () => srv && srv.close());

async function hitFor(api, q, entity, id) {
  const r = await api.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
  assertStatus(r, 200);
  const h = r.json.data.find((x) => x.entity === entity && x.id === id);
  assert.ok(h, `${q}: no hit ${entity}/${id} in ${r.text.slice(0, 400)}`);
  return h;
}

const marked = (h) => h.highlight.ranges.map(([a, b]) => [...h.highlight.text].slice(a, b).join(''));

test('简体 marks 繁體 and back, in the field that matched; the old members stay', async () => {
  const h = await hitFor(root, '客户', 'customers', ids.kehu);
  assert.equal(h.matched_field, 'local_name');
  assert.equal(typeof h.score, 'number');
  assert.equal(h.record.local_name, '王客戶');
  assert.deepEqual(h.highlight, { field: 'local_name', text: '王客戶', offset: 0, length: 3, ranges: [[1, 3]] });
  const back = await hitFor(root, '王客户', 'customers', ids.kehu);
  assert.deepEqual(marked(back), ['王客戶']);
});

test('full width marks half width, case and accents fold, several words each marked', async () => {
  assert.deepEqual(marked(await hitFor(root, 'ＡＢＣ', 'customers', ids.abc)), ['abc']);
  assert.deepEqual(marked(await hitFor(root, 'TRADING', 'customers', ids.abc)), ['Trading']);
  const m = await hitFor(root, 'muller', 'customers', ids.muller);
  assert.deepEqual(marked(m), ['Müller']);
  assert.deepEqual(m.highlight.ranges, [[5, 11]]);
  const two = await hitFor(root, 'abc 商行', 'customers', ids.abc);
  assert.deepEqual(marked(two), ['abc', '商行']);
});

test('pinyin and its initials mark the whole name: pinyin is not written there', async () => {
  for (const q of ['wxm', 'wangxiaoming']) {
    const h = await hitFor(root, q, 'customers', ids.wxm);
    assert.equal(h.matched_field, 'pinyin', q);
    assert.equal(h.highlight.field, 'local_name', q);
    assert.deepEqual(marked(h), ['王小明'], q);
  }
  // words of a Latin name are written there: each is marked
  assert.deepEqual(marked(await hitFor(root, 'wang xiaoming', 'customers', ids.wxm)), ['Wang', 'Xiaoming']);
});

test('a phone number however typed marks its digits as written', async () => {
  for (const q of ['13800138000', '+86 138-0013-8000', '138 0013 8000']) {
    const h = await hitFor(root, q, 'customers', ids.kehu);
    assert.equal(h.highlight.field, 'mobile', q);
    assert.equal(h.highlight.text, '+86 138 0013 8000');
    assert.deepEqual(marked(h), q.startsWith('+') ? ['86 138 0013 8000'] : ['138 0013 8000'], q);
  }
});

test('a long value comes as a window around the match, with its offset and length', async () => {
  const h = await hitFor(root, '客户满意度', 'interactions', ids.long);
  assert.equal(h.highlight.field, 'subject');
  assert.equal(h.highlight.length, 277);
  // 200 characters: 40 before the match, or the last 200 when it is near the end
  assert.equal(h.highlight.offset, 277 - 200);
  assert.equal([...h.highlight.text].length, 200);
  assert.deepEqual(h.highlight.ranges, [[250 - 77, 255 - 77]]);
  const early = await hitFor(root, '回访回访', 'interactions', ids.long);
  assert.equal(early.highlight.offset, 0);
  assert.equal([...early.highlight.text].length, 200);
  assert.deepEqual(early.highlight.ranges, [[0, 200]], 'every repeat marked, cut at the window');
  assert.deepEqual(marked(h), ['客戶滿意度']);
  assert.equal(h.record.subject.length, 277, 'the record itself is whole');
});

test('masked callers see the masked text and marks only where they matched; others\' records are not there', async () => {
  // marketing sees personal data masked: names match, e-mails and phones do not
  const h = await hitFor(mia, '客户', 'customers', ids.kehu);
  assert.deepEqual(marked(h), ['客戶']);
  assert.match(h.record.mobile, /\*{3}/);
  const none = await mia.get('/api/v1/search?q=13800138000');
  assertStatus(none, 200);
  assert.equal(none.json.data.length, 0);
  // a sales user finds only their own: no highlight of anyone else's record
  const s = await sam.get('/api/v1/search?q=' + encodeURIComponent('客户'));
  assertStatus(s, 200);
  assert.deepEqual(s.json.data, []);
  assert.equal((await hitFor(sam, '李四', 'customers', ids.lee)).highlight.text, '李四');
});

test('bad queries are refused as before', async () => {
  assertError(await root.get('/api/v1/search'), 400, 'bad_request');
  assertError(await root.get('/api/v1/search?q=' + '客'.repeat(100)), 400, 'bad_request');
  assertError(await root.get('/api/v1/search?q=%FF%FE'), 400, 'bad_request');
  assertError(await root.get('/api/v1/search?q=abc&highlight=no'), 400, 'bad_request');
  assertError(await root.get('/api/v1/search?q=abc&limit=0'), 400, 'bad_request');
  assertError(await srv.api(null).get('/api/v1/search?q=abc'), 401);
});
