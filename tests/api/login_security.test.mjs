// Login security and the audit log: lock-out per account and per address
// (429 + Retry-After, refused before any hashing), log out everywhere, and
// GET /api/v1/audit (admins only, filters, pages, append-only).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, assertError, assertStatus, request } from './lib/server.mjs';

const execFileP = promisify(execFile);
let srv;
before(async () => {
  srv = await startServer({ users: [
    { name: 'root', role: 'admin' }, { name: 'lena', role: 'sales' }, { name: 'otto', role: 'sales' },
    { name: 'mona', role: 'manager' },
  ] });
});
after(async () => srv && srv.close());

const login = (name, password) => request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name, password } });
const sessionOf = (r) => r.headers.getSetCookie().find((c) => c.startsWith('gx_session=')).split(';')[0];

test('five failures lock the account for a while, even against the right password', async () => {
  // a failing login costs an argon2id hash: the median of the five
  const hashes = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    assertError(await login('lena', `wrong-${i}-password`), 401, 'unauthorized');
    hashes.push(performance.now() - t);
  }
  const hashMs = hashes.sort((a, b) => a - b)[2];
  const refused = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = await login('lena', srv.users.lena.password);
    refused.push(performance.now() - t);
    assertError(r, 429, 'too_many_requests');
    const after = Number(r.headers.get('retry-after'));
    assert.ok(after > 60 && after <= 15 * 60, `Retry-After ${after}`);
  }
  // refused before any hash: a small part of the time one hash takes
  refused.sort((a, b) => a - b);
  assert.ok(refused[1] < hashMs / 3, `a refusal took ${refused[1]} ms, a hash ${hashMs} ms`);
  // another account from the same address is not locked by it
  assertStatus(await login('otto', srv.users.otto.password), 200);
  // a token still works: the lock-out is about passwords
  assertStatus(await srv.api('lena').get('/api/v1/auth/me'), 200);
});

test('an unknown name is locked like a real one (no hint who exists)', async () => {
  for (let i = 0; i < 5; i++) assertError(await login('nobody-here', `wrong-${i}-password`), 401, 'unauthorized');
  assertError(await login('nobody-here', 'anything-at-all'), 429, 'too_many_requests');
});

test('twenty failures from one address lock the address', async () => {
  // 10 failures so far from this address (lena 5, nobody-here 5)
  for (let i = 0; i < 10; i++) assertError(await login(`spray-${i}`, 'Spray-password-1'), 401, 'unauthorized');
  const r = await login('mona', srv.users.mona.password);
  assertError(r, 429, 'too_many_requests');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
});

test('the audit log: admins only, sign-ins and record changes, filters and pages', async () => {
  const root = srv.api('root');
  assertError(await srv.api('otto').get('/api/v1/audit'), 403, 'forbidden');
  assertError(await srv.api('mona').get('/api/v1/audit'), 403, 'forbidden');
  const c = await root.post('/api/v1/customers', { name: '稽核客戶' });
  assertStatus(c, 201);
  // events are written with the next commit: this write was later
  const failed = await root.get('/api/v1/audit?action=login_failed&limit=1000');
  assertStatus(failed, 200);
  assert.ok(failed.json.data.length >= 20, `failed logins: ${failed.json.data.length}`);
  const e0 = failed.json.data.find((x) => x.detail && x.detail.name === 'lena');
  assert.ok(e0, 'a failed login of lena');
  assert.equal(e0.source, 'auth');
  assert.equal(e0.ip, '127.0.0.1');
  assert.ok(failed.json.data.some((x) => x.detail && x.detail.locked === true), 'the lock-out is recorded');
  const ok = await root.get('/api/v1/audit?action=login&user=otto');
  assert.equal(ok.json.data.length, 1);
  const rec = await root.get('/api/v1/audit?entity=customers&action=create&user=root');
  assert.ok(rec.json.data.some((x) => x.record_id === c.json.id && x.source === 'record'));
  // newest first, and pages that join up
  const all = (await root.get('/api/v1/audit?limit=1000')).json.data;
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].at >= all[i].at, 'newest first');
  let cursor = null, seen = [];
  do {
    const p = await root.get(`/api/v1/audit?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assertStatus(p, 200);
    seen.push(...p.json.data.map((x) => `${x.source}${x.id}`));
    cursor = p.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all.map((x) => `${x.source}${x.id}`));
  // a time window
  const from = new Date(Date.now() + 3600e3).toISOString();
  assert.equal((await root.get(`/api/v1/audit?from=${from}`)).json.data.length, 0);
  for (const q of ['from=yesterday', 'to=2026-13-01T00:00:00Z', 'limit=0', 'limit=5000', 'cursor=garbage'])
    assertError(await root.get(`/api/v1/audit?${q}`), 400, 'bad_request');
});

test('the audit log and the history are append-only in the database', async () => {
  const db = path.join(srv.dir, 'guanxi.db');
  for (const sql of ['DELETE FROM audit_events', "UPDATE audit_events SET action = 'x'", 'DELETE FROM history', "UPDATE history SET action = 'x'"]) {
    await assert.rejects(execFileP('sqlite3', [db, sql]), /append-only/, sql);
  }
});

test('log out everywhere ends every session of the user', async () => {
  // this server has locked the loopback address by now: a fresh one
  const s = await startServer({ users: [{ name: 'una', role: 'sales' }] });
  try {
    const mk = async () => {
      const r = await request(s.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'una', password: s.users.una.password } });
      return { cookie: sessionOf(r), csrf: r.json.csrf_token };
    };
    const a = await mk(), b = await mk();
    assertStatus(await request(s.url, a, 'GET', '/api/v1/auth/me'), 200);
    assertError(await request(s.url, a, 'POST', '/api/v1/auth/logout?everywhere=maybe'), 400, 'bad_request');
    assertStatus(await request(s.url, a, 'POST', '/api/v1/auth/logout?everywhere=true'), 204);
    assertError(await request(s.url, a, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
    assertError(await request(s.url, b, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
    assertStatus(await s.api('una').get('/api/v1/auth/me'), 200);	// API tokens are separate
  } finally {
    await s.close();
  }
});
