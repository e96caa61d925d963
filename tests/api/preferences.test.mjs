// Per-user preferences on the server (GET/PATCH /api/v1/auth/me/preferences):
// the language, time zone, theme and list columns follow the user to another
// session (another browser), survive a restart, are each user's own, are
// checked (IANA zones, the three languages, themes, columns the list
// accepts, sizes) with nothing written on bad input, and every change is in
// the audit log.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, request } from './lib/server.mjs';

const P = '/api/v1/auth/me/preferences';
const EMPTY = { locale: null, time_zone: null, theme: null, columns: {} };
let srv, alice, bob, rory;

before(async () => {
  srv = await startServer({ users: [
    { name: 'alice', role: 'admin' }, { name: 'bob', role: 'sales' }, { name: 'rory', role: 'readonly' },
  ] });
  [alice, bob, rory] = ['alice', 'bob', 'rory'].map((n) => srv.api(n));
});
after(async () => srv && srv.close());

async function login(name) {
  const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name, password: srv.users[name].password } });
  assertStatus(r, 200);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('gx_session=')).split(';')[0];
  return { cookie, csrf: r.json.csrf_token };
}

test('a new user has no preferences: every key, null or empty', async () => {
  for (const u of [alice, bob, rory]) assert.deepEqual(assertStatus(await u.get(P), 200).json, EMPTY);
});

test('a change is kept, answered whole, and follows the user to another session and a restart', async () => {
  const r = await alice.patch(P, { locale: 'zh-Hant', time_zone: 'Asia/Taipei', theme: 'dark',
    columns: { customers: ['name', 'local_name', 'city', 'updated_at'] } });
  assertStatus(r, 200);
  const want = { locale: 'zh-Hant', time_zone: 'Asia/Taipei', theme: 'dark',
    columns: { customers: ['name', 'local_name', 'city', 'updated_at'] } };
  assert.deepEqual(r.json, want);
  // "another browser": a session made by signing in, with the cookie
  const s1 = await login('alice');
  assert.deepEqual(assertStatus(await request(srv.url, s1, 'GET', P), 200).json, want);
  // a change from that session (cookie + CSRF) is seen by a second one
  assertStatus(await request(srv.url, s1, 'PATCH', P, { body: { time_zone: 'America/New_York' } }), 200);
  const s2 = await login('alice');
  assert.equal((await request(srv.url, s2, 'GET', P)).json.time_zone, 'America/New_York');
  // the cookie without the CSRF token may not write
  assertError(await request(srv.url, { cookie: s1.cookie }, 'PATCH', P, { body: { theme: 'light' } }), 403, 'forbidden');
  await srv.restart();
  assert.deepEqual((await alice.get(P)).json, { ...want, time_zone: 'America/New_York' });
});

test('PATCH changes only what it names; null clears; columns merge per list', async () => {
  await alice.patch(P, { locale: 'zh-Hans', theme: 'system', time_zone: 'Asia/Shanghai', columns: { customers: ['name'], contacts: ['name', 'role'] } });
  let r = assertStatus(await alice.patch(P, { theme: null }), 200).json;
  assert.deepEqual(r, { locale: 'zh-Hans', time_zone: 'Asia/Shanghai', theme: null, columns: { customers: ['name'], contacts: ['name', 'role'] } });
  r = assertStatus(await alice.patch(P, { columns: { contacts: null, customers: ['city', 'name'] } }), 200).json;
  assert.deepEqual(r.columns, { customers: ['city', 'name'] });
  r = assertStatus(await alice.patch(P, { columns: null, locale: 'en' }), 200).json;
  assert.deepEqual(r, { locale: 'en', time_zone: 'Asia/Shanghai', theme: null, columns: {} });
  r = assertStatus(await alice.patch(P, {}), 200).json;
  assert.deepEqual(r, { locale: 'en', time_zone: 'Asia/Shanghai', theme: null, columns: {} });
});

test('each user has their own; every role may keep preferences', async () => {
  const before = (await alice.get(P)).json;
  assertStatus(await bob.patch(P, { locale: 'zh-Hant', time_zone: 'Asia/Hong_Kong' }), 200);
  assertStatus(await rory.patch(P, { theme: 'dark', columns: { customers: ['name', 'city'] } }), 200);
  assert.deepEqual((await alice.get(P)).json, before);
  assert.deepEqual((await bob.get(P)).json, { ...EMPTY, locale: 'zh-Hant', time_zone: 'Asia/Hong_Kong' });
  assert.deepEqual((await rory.get(P)).json, { ...EMPTY, theme: 'dark', columns: { customers: ['name', 'city'] } });
});

test('time zones: any the IANA database names, nothing else', async () => {
  for (const tz of ['UTC', 'Asia/Taipei', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Singapore', 'Europe/London', 'America/Sao_Paulo']) {
    assert.equal(assertStatus(await bob.patch(P, { time_zone: tz }), 200).json.time_zone, tz);
  }
  for (const tz of ['Mars/Olympus', 'Asia/Taipei ', 'asia/taipei', '', '台北', 'GMT+8:00:00', 'x'.repeat(65)]) {
    assertError(await bob.patch(P, { time_zone: tz }), 422, 'validation_failed', ['time_zone']);
  }
  assert.equal((await bob.get(P)).json.time_zone, 'America/Sao_Paulo');
});

test('custom fields may be columns once they exist', async () => {
  assertError(await alice.patch(P, { columns: { customers: ['name', 'vip_level'] } }), 422, 'validation_failed', ['columns.customers']);
  assertStatus(await alice.post('/api/v1/meta/entities/customers/fields', { name: 'vip_level', type: 'integer', label: 'VIP level' }), 201);
  assert.deepEqual(assertStatus(await alice.patch(P, { columns: { customers: ['name', 'vip_level'] } }), 200).json.columns.customers, ['name', 'vip_level']);
  // the field goes: that list is left out, the rest of the preferences stay
  const before = (await alice.get(P)).json;
  assertStatus(await alice.del('/api/v1/meta/entities/customers/fields/vip_level'), 204);
  assert.deepEqual((await alice.get(P)).json, { ...before, columns: {} });
  assert.equal(assertStatus(await alice.patch(P, { theme: 'dark' }), 200).json.theme, 'dark', 'and can be changed again');
});

test('bad input: 4xx naming the problem, nothing written', async () => {
  const keep = { locale: 'zh-Hant', time_zone: 'Asia/Taipei', theme: 'light', columns: { customers: ['name', 'city'] } };
  assert.deepEqual(assertStatus(await bob.patch(P, keep), 200).json, keep);
  const bad = [
    [{ locale: 'fr' }, ['locale']],
    [{ locale: 'zh-TW' }, ['locale']],
    [{ locale: 5 }, ['locale']],
    [{ theme: 'blue' }, ['theme']],
    [{ theme: true }, ['theme']],
    [{ time_zone: 8 }, ['time_zone']],
    [{ columns: [] }, ['columns']],
    [{ columns: 'name,city' }, ['columns']],
    [{ columns: { customers: 'name' } }, ['columns.customers']],
    [{ columns: { customers: [1, 2] } }, ['columns.customers']],
    [{ columns: { customers: ['name', 'name'] } }, ['columns.customers']],
    [{ columns: { customers: ['name,city'] } }, ['columns.customers']],
    [{ columns: { customers: ['password_hash'] } }, ['columns.customers']],
    [{ columns: { customers: ['名'.repeat(65)] } }, ['columns.customers']],
    [{ columns: { customers: Array.from({ length: 61 }, (_, i) => `f${i}`) } }, ['columns.customers']],
    [{ columns: { users: ['name'] } }, ['columns.users']],
    [{ columns: { no_such_list: ['name'] } }, ['columns.no_such_list']],
    [{ colour: 'red' }, ['colour']],
    [{ locale: 'en', extra: 1 }, ['extra']],
  ];
  for (const [body, fields] of bad) assertError(await bob.patch(P, body), 422, 'validation_failed', fields);
  for (const raw of ['{"locale":', '[]', '"en"', '{"locale":"en","locale":"zh-Hant"}', '']) {
    const r = await bob.call('PATCH', P, { raw });
    assertError(r, 400);
  }
  assertError(await bob.call('PATCH', P, { raw: '{"theme":"dark"}', headers: { 'content-type': 'text/plain' } }), 415);
  assert.deepEqual((await bob.get(P)).json, keep, 'nothing written by any bad request');
});

test('no credentials → 401; other methods → 405', async () => {
  const anon = srv.api(null);
  assertError(await anon.get(P), 401, 'unauthorized');
  assertError(await anon.patch(P, { theme: 'dark' }), 401, 'unauthorized');
  assertError(await bob.post(P, { theme: 'dark' }), 405);
  assertError(await bob.del(P), 405);
});

test('every change is in the audit log with the values before and after', async () => {
  assertStatus(await rory.patch(P, { locale: 'zh-Hans' }), 200);
  const r = assertStatus(await alice.get('/api/v1/audit?action=preferences_changed&user=rory&limit=1'), 200);
  const ev = r.json.data[0];
  assert.equal(ev.user, 'rory');
  assert.equal(ev.detail.before.locale, null);
  assert.equal(ev.detail.after.locale, 'zh-Hans');
  // a refused change leaves no event
  assertError(await rory.patch(P, { locale: 'xx' }), 422);
  const again = (await alice.get('/api/v1/audit?action=preferences_changed&user=rory')).json.data;
  assert.equal(again.length, 2);
});
