// Sorting names as users expect (issue 4): by pinyin for zh-Hans, by
// stroke count for zh-Hant, alphabetically for English — chosen by
// ?locale= or the Accept-Language header — with cursors that keep to it.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, qs } from './lib/server.mjs';

let srv, api;
// pinyin: a bai chen ding li ou wang zhang; strokes: 丁2 王4 白5 李7 阿8 張11 陳11 歐15
const NAMES = ['張三', '王五', '李四', '陳大文', '丁一', '阿明', '白雪', '歐陽修', 'zoe', 'Apple', 'banana', 'Émile'];
const HAN_PINYIN = ['阿明', '白雪', '陳大文', '丁一', '李四', '歐陽修', '王五', '張三'];
const HAN_STROKES = ['丁一', '王五', '白雪', '李四', '阿明', '張三', '陳大文', '歐陽修'];
const LATIN = ['Apple', 'banana', 'Émile', 'zoe'];

before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
  for (const name of NAMES) assertStatus(await api.post('/api/v1/customers', { name, source: 'coll' }), 201);
});
after(async () => srv && srv.close());

async function sorted(params, headers) {
  const out = [];
  let cursor;
  do { // small pages, so the cursor is exercised
    const r = await api.get(`/api/v1/customers?${qs({ filter: ['source:eq:coll'], limit: 3, ...params, ...(cursor ? { cursor } : {}) })}`, { headers });
    assertStatus(r, 200);
    out.push(...r.json.data.map((c) => c.name));
    cursor = r.json.next_cursor;
  } while (cursor);
  return out;
}

const han = (names) => names.filter((n) => /\p{Script=Han}/u.test(n));
const latin = (names) => names.filter((n) => !/\p{Script=Han}/u.test(n));

test('zh-Hans sorts Chinese names by pinyin', async () => {
  const got = await sorted({ sort: 'name', locale: 'zh-Hans' });
  assert.deepEqual(han(got), HAN_PINYIN);
  assert.deepEqual(latin(got), LATIN);
  assert.deepEqual(han(await sorted({ sort: 'name', locale: 'zh-CN' })), HAN_PINYIN);
});

test('zh-Hant sorts Chinese names by stroke count', async () => {
  assert.deepEqual(han(await sorted({ sort: 'name', locale: 'zh-Hant' })), HAN_STROKES);
  assert.deepEqual(han(await sorted({ sort: 'name', locale: 'zh-TW' })), HAN_STROKES);
  assert.deepEqual(han(await sorted({ sort: 'name', locale: 'zh-HK' })), HAN_STROKES);
});

test('English sorts alphabetically, case and accents aside', async () => {
  assert.deepEqual(latin(await sorted({ sort: 'name', locale: 'en' })), LATIN);
  assert.deepEqual(latin(await sorted({ sort: 'name', locale: 'fr-CA' })), LATIN);
  // without a locale: code point order, capitals first
  assert.deepEqual(latin(await sorted({ sort: 'name' })), ['Apple', 'banana', 'zoe', 'Émile']);
});

test('descending, and the whole list in one order across pages', async () => {
  const down = await sorted({ sort: '-name', locale: 'zh-Hant' });
  assert.equal(down.length, NAMES.length);
  assert.deepEqual(han(down), [...HAN_STROKES].reverse());
  assert.deepEqual(new Set(down), new Set(NAMES));
});

test('Accept-Language is the default, ?locale= wins', async () => {
  assert.deepEqual(han(await sorted({ sort: 'name' }, { 'Accept-Language': 'zh-TW,zh;q=0.9,en;q=0.8' })), HAN_STROKES);
  assert.deepEqual(han(await sorted({ sort: 'name', locale: 'zh-Hans' }, { 'Accept-Language': 'zh-TW' })), HAN_PINYIN);
});

test('a cursor keeps to the order it was made for', async () => {
  const r = await api.get(`/api/v1/customers?${qs({ sort: 'name', locale: 'zh-Hans', limit: 2 })}`);
  assertStatus(r, 200);
  const again = await api.get(`/api/v1/customers?${qs({ sort: 'name', locale: 'zh-Hant', limit: 2, cursor: r.json.next_cursor })}`);
  assertError(again, 400, 'bad_request');
});

test('bad locale values', async () => {
  assertError(await api.get(`/api/v1/customers?${qs({ sort: 'name', locale: 'x'.repeat(101) })}`), 400, 'bad_request');
  // an unknown tag is English, not an error
  assertStatus(await api.get(`/api/v1/customers?${qs({ sort: 'name', locale: 'tlh-Piqd' })}`), 200);
});

test('exports sort the same way', async () => {
  const r = await api.get(`/api/v1/customers/export?${qs({ format: 'csv', sort: 'name', locale: 'zh-Hant', bom: 'false' })}`);
  assertStatus(r, 200);
  const names = r.text.split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(',')[2]);
  assert.deepEqual(han(names), HAN_STROKES);
  const p = await api.get(`/api/v1/customers/export?${qs({ format: 'csv', sort: 'name', bom: 'false' })}`, { headers: { 'Accept-Language': 'zh-CN' } });
  assert.deepEqual(han(p.text.split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(',')[2])), HAN_PINYIN);
  const cli = await srv.cliOk(['export', 'customers', '--sort', 'name', '--locale', 'zh-TW', '--no-bom']);
  assert.deepEqual(han(cli.stdout.split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(',')[2])), HAN_STROKES);
  const posix = await srv.cli(['export', 'customers', '--sort', 'name', '--no-bom'], { env: { ...process.env, LANG: 'zh_TW.UTF-8' } });
  assert.equal(posix.code, 0, posix.stderr);
  assert.deepEqual(han(posix.stdout.split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(',')[2])), HAN_STROKES, '$LANG');
  assertError(await api.get(`/api/v1/customers/export?${qs({ format: 'csv', sort: 'notes' })}`), 400, 'bad_request');
});
