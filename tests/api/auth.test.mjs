// Authentication and roles: tokens (valid, bad, revoked), the login/logout
// session cookie, the role table of docs/API.md (403 and nothing written).
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, request, listAll, snapshot, sleep } from './lib/server.mjs';

let srv;
const U = {};
before(async () => {
  srv = await startServer({ users: [
    { name: 'alice', role: 'admin' }, { name: 'mona', role: 'manager' }, { name: 'sam', role: 'sales' },
    { name: 'sven', role: 'service' }, { name: 'mark', role: 'marketing' }, { name: 'rory', role: 'readonly' },
    { name: '王小明', role: 'sales', password: '密碼 with spaces & ünïcödé' },
  ] });
  for (const n of Object.keys(srv.users)) U[n] = srv.api(n);
});
after(async () => srv && srv.close());

describe('tokens', () => {
  test('each user token works; /auth/me names the user and role', async () => {
    for (const [n, u] of Object.entries(srv.users)) {
      const r = await U[n].get('/api/v1/auth/me');
      assertStatus(r, 200);
      assert.equal(r.json.user.name, n);
      assert.equal(r.json.user.role, u.role);
      assert.equal(typeof r.json.user.id, 'number');
      assert.ok(!('password' in r.json.user) && !('password_hash' in r.json.user));
    }
  });

  test('no, malformed, unknown token → 401 unauthorized JSON', async () => {
    for (const h of [{}, { authorization: 'Bearer' }, { authorization: 'Bearer gx_' + 'B'.repeat(43) },
      { authorization: `Token ${srv.users.alice.token}` }, { authorization: `Bearer  ${srv.users.alice.token}x` }]) {
      const r = await request(srv.url, null, 'GET', '/api/v1/customers', { headers: h });
      assertError(r, 401, 'unauthorized');
    }
  });

  test('a user may have several tokens; revoking one → 401 for it only', async () => {
    const second = await srv.createToken('sam');
    assert.notEqual(second, srv.users.sam.token);
    const api2 = srv.api(second);
    assertStatus(await api2.get('/api/v1/customers'), 200);
    await srv.revokeToken('sam', second);
    assertError(await api2.get('/api/v1/customers'), 401, 'unauthorized');
    assertError(await api2.post('/api/v1/customers', { name: 'after revoke' }), 401, 'unauthorized');
    assertStatus(await U.sam.get('/api/v1/customers'), 200);
    assert.equal((await listAll(U.alice, 'customers', { q: 'after revoke' })).length, 0);
  });

  test('token create for an unknown user fails', async () => {
    const r = await srv.cli(['token', 'create', 'nobody']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout.trim(), '');
  });
});

describe('login and logout', () => {
  function sessionCookie(res) {
    const all = res.headers.getSetCookie();
    const c = all.find((x) => x.startsWith('gx_session='));
    assert.ok(c, `Set-Cookie gx_session in ${JSON.stringify(all)}`);
    return c;
  }

  test('login sets an HttpOnly SameSite=Strict cookie that authenticates', async () => {
    const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'alice', password: srv.users.alice.password } });
    assertStatus(r, 200);
    assert.equal(r.json.user.name, 'alice');
    assert.equal(r.json.user.role, 'admin');
    assert.equal(typeof r.json.user.id, 'number');
    const c = sessionCookie(r);
    const attrs = c.split(';').map((s) => s.trim().toLowerCase());
    assert.ok(attrs.includes('httponly'), c);
    assert.ok(attrs.includes('samesite=strict'), c);
    assert.ok(attrs.includes('path=/'), c);
    const value = c.split(';')[0];
    assert.ok(value.length > 'gx_session='.length + 20, `session id too short: ${value}`);
    assert.ok(!value.includes(srv.users.alice.token), 'cookie is not the API token');
    const me = await request(srv.url, { cookie: value }, 'GET', '/api/v1/auth/me');
    assertStatus(me, 200);
    assert.equal(me.json.user.name, 'alice');
    // the cookie may write too, with the CSRF token of its session
    assert.equal(me.json.csrf_token, r.json.csrf_token, '/auth/me gives the same CSRF token');
    const sess = { cookie: value, csrf: r.json.csrf_token };
    const cr = await request(srv.url, sess, 'POST', '/api/v1/customers', { body: { name: 'Cookie 客戶' } });
    assertStatus(cr, 201);

    const out = await request(srv.url, sess, 'POST', '/api/v1/auth/logout');
    assertStatus(out, 204);
    const cleared = sessionCookie(out);
    assert.ok(/max-age=0|expires=thu, 01 jan 1970/i.test(cleared) || /^gx_session=;/.test(cleared), `cleared cookie: ${cleared}`);
    assertError(await request(srv.url, { cookie: value }, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
    assertError(await request(srv.url, { cookie: value }, 'GET', '/api/v1/customers'), 401, 'unauthorized');
  });

  test('Chinese user name and unicode password', async () => {
    const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: '王小明', password: '密碼 with spaces & ünïcödé' } });
    assertStatus(r, 200);
    assert.equal(r.json.user.name, '王小明');
    assert.equal(r.json.user.role, 'sales');
  });

  test('two sessions are independent', async () => {
    const login = () => request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'mona', password: srv.users.mona.password } });
    const ra = await login(), rb = await login();
    const a = ra.headers.getSetCookie().find((x) => x.startsWith('gx_session=')).split(';')[0];
    const b = rb.headers.getSetCookie().find((x) => x.startsWith('gx_session=')).split(';')[0];
    assert.notEqual(a, b);
    assert.notEqual(ra.json.csrf_token, rb.json.csrf_token, 'a CSRF token per session');
    // one session's token does not serve another
    assertError(await request(srv.url, { cookie: a, csrf: rb.json.csrf_token }, 'POST', '/api/v1/auth/logout'), 403, 'forbidden');
    assertStatus(await request(srv.url, { cookie: a, csrf: ra.json.csrf_token }, 'POST', '/api/v1/auth/logout'), 204);
    assertError(await request(srv.url, { cookie: a }, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
    assertStatus(await request(srv.url, { cookie: b }, 'GET', '/api/v1/auth/me'), 200);
  });

  test('wrong password and unknown user → same 401, no cookie, similar time', async () => {
    const time = async (body) => {
      const t = process.hrtime.bigint();
      const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body });
      return { r, ms: Number(process.hrtime.bigint() - t) / 1e6 };
    };
    const wrong = [], unknown = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await time({ name: 'alice', password: 'not-the-password' }));
      unknown.push(await time({ name: 'no-such-user', password: 'not-the-password' }));
    }
    for (const { r } of [...wrong, ...unknown]) {
      assertError(r, 401, 'unauthorized');
      assert.ok(!r.headers.getSetCookie().some((c) => /^gx_session=[^;]+/.test(c) && !/max-age=0/i.test(c)), 'no session cookie');
    }
    assert.deepEqual(wrong[0].r.json, unknown[0].r.json, 'same answer for both');
    const med = (a) => a.map((x) => x.ms).sort((x, y) => x - y)[1];
    const mw = med(wrong), mu = med(unknown);
    if (mw > 20) assert.ok(mu > mw * 0.3 && mu < mw * 3, `timing differs: wrong password ${mw} ms, unknown user ${mu} ms`);
  });

  test('logins in flight do not hold up other requests', async () => {
    // each login costs an argon2id hash; with a worker thread per core they
    // must run elsewhere, or a few of them stall every other client
    const logins = [];
    // distinct names: six hashes, and no account reaches its lock-out
    for (let i = 0; i < 6; i++) logins.push(request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: `ghost-${i}`, password: `wrong-${i}-password` } }));
    await sleep(20);
    const t = process.hrtime.bigint();
    const r = await request(srv.url, srv.users.alice.token, 'GET', '/api/v1/auth/me');
    const readMs = Number(process.hrtime.bigint() - t) / 1e6;
    const t2 = process.hrtime.bigint();
    for (const l of await Promise.all(logins)) assertError(l, 401, 'unauthorized');
    const loginsMs = Number(process.hrtime.bigint() - t2) / 1e6 + readMs;
    assertStatus(r, 200);
    // the read answers well before the six hashes are done
    assert.ok(readMs < loginsMs / 2, `a read waited ${readMs} ms behind logins that took ${loginsMs} ms`);
  });

  test('CSRF: a cookie write without the token, or with a wrong one, is refused and writes nothing', async () => {
    const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'sam', password: srv.users.sam.password } });
    assertStatus(r, 200);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    const cookie = r.headers.getSetCookie().find((x) => x.startsWith('gx_session=')).split(';')[0];
    const snap = await snapshot(U.alice);
    for (const csrf of [undefined, '', 'x'.repeat(43), r.json.csrf_token.slice(0, 42) + (r.json.csrf_token.endsWith('A') ? 'B' : 'A')]) {
      assertError(await request(srv.url, { cookie, csrf }, 'POST', '/api/v1/customers', { body: { name: 'CSRF 攻擊' } }), 403, 'forbidden');
    }
    assert.deepEqual(await snapshot(U.alice), snap, 'a refused write wrote something');
    // reads need no token; a bearer token needs none either
    assertStatus(await request(srv.url, { cookie }, 'GET', '/api/v1/customers'), 200);
    assertStatus(await U.sam.post('/api/v1/customers', { name: 'Bearer 客戶' }), 201);
    assertStatus(await request(srv.url, { cookie, csrf: r.json.csrf_token }, 'POST', '/api/v1/customers', { body: { name: 'CSRF 正常' } }), 201);
  });

  test('a bearer token and a password are not interchangeable', async () => {
    const r = await request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'alice', password: srv.users.alice.token } });
    assertError(r, 401, 'unauthorized');
    assertError(await request(srv.url, encodeURIComponent(srv.users.alice.password), 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
  });
});

// record-level permissions of every role: access.test.mjs
describe('roles', () => {
  test('only admin changes custom fields', async () => {
    for (const n of ['mona', 'sam', 'sven', 'mark', 'rory']) {
      assertError(await U[n].post('/api/v1/meta/entities/customers/fields', { name: 'x_by_' + n, type: 'string' }), 403, 'forbidden');
      assertStatus(await U[n].get('/api/v1/meta/entities/customers/fields'), 200);
    }
    assertStatus(await U.alice.post('/api/v1/meta/entities/customers/fields', { name: 'by_admin', type: 'string' }), 201);
  });
});

test('user add with an unknown role fails and creates no user', async () => {
  const r = await srv.cli(['user', 'add', 'eve', '--role', 'superuser', '--password-stdin'], { input: 'pw-eve-123456\n' });
  assert.notEqual(r.code, 0);
  const t = await srv.cli(['token', 'create', 'eve']);
  assert.notEqual(t.code, 0);
});
