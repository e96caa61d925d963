// /healthz, /metrics, /, slow clients, SIGTERM.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, assertStatus, request, sleep, SLOW } from './lib/server.mjs';

let srv, api;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
});
after(async () => srv && srv.close());

test('GET /healthz → {"status":"ok"} without auth', async () => {
  const r = await request(srv.url, null, 'GET', '/healthz');
  assertStatus(r, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.match(r.headers.get('content-type'), /^application\/json/);
});

function counter(text, re) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (re.test(line)) sum += Number(line.trim().split(/\s+/).pop());
  }
  return sum;
}

test('GET /metrics: Prometheus text with request counter, latency histogram, db time', async () => {
  const m0 = await request(srv.url, null, 'GET', '/metrics');
  assertStatus(m0, 200);
  assert.match(m0.headers.get('content-type'), /^text\/plain/);
  const hz = /^guanxi_http_requests_total\{[^}]*\}/;
  const before = counter(m0.text, hz);
  for (let i = 0; i < 5; i++) assertStatus(await request(srv.url, null, 'GET', '/healthz'), 200);
  assertStatus(await api.post('/api/v1/customers', { name: '指標 Metrics' }), 201);
  assert.equal((await api.get('/api/v1/customers/987654')).status, 404);
  const m = await request(srv.url, null, 'GET', '/metrics');
  const t = m.text;
  assert.match(t, /^# TYPE guanxi_http_requests_total counter$/m);
  assert.match(t, /^guanxi_http_requests_total\{[^}]*route="[^"]+"[^}]*\} \d+/m);
  assert.match(t, /^guanxi_http_requests_total\{[^}]*status="200"[^}]*\} \d+/m);
  assert.match(t, /^guanxi_http_requests_total\{[^}]*status="201"[^}]*\} \d+/m);
  assert.match(t, /^guanxi_http_requests_total\{[^}]*status="404"[^}]*\} \d+/m);
  assert.ok(counter(t, hz) >= before + 7, `counter grew from ${before} to ${counter(t, hz)}`);
  assert.match(t, /^# TYPE guanxi_http_request_duration_seconds histogram$/m);
  assert.match(t, /^guanxi_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} \d+/m);
  assert.match(t, /^guanxi_http_request_duration_seconds_bucket\{[^}]*le="0\.\d+"[^}]*\} \d+/m);
  assert.match(t, /^guanxi_http_request_duration_seconds_sum(\{[^}]*\})? [0-9.eE+-]+$/m);
  assert.match(t, /^guanxi_http_request_duration_seconds_count(\{[^}]*\})? \d+$/m);
  assert.match(t, /^guanxi_db_seconds_total(\{[^}]*\})? [0-9.eE+-]+$/m);
  // buckets are cumulative: +Inf equals _count
  const inf = counter(t, /^guanxi_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"/);
  const cnt = counter(t, /^guanxi_http_request_duration_seconds_count/);
  assert.equal(inf, cnt);
  // an unauthenticated request does not show the token in metrics
  assert.ok(!t.includes(srv.users.alice.token));
});

test('GET / serves an HTML page without auth', async () => {
  const r = await request(srv.url, null, 'GET', '/');
  assertStatus(r, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /<html/i);
});

test('security headers on every answer: API, errors, the page', async () => {
  const answers = [
    await api.get('/api/v1/customers'),
    await api.get('/api/v1/customers/987654'),
    await request(srv.url, null, 'GET', '/api/v1/customers'),
    await request(srv.url, null, 'GET', '/healthz'),
    await request(srv.url, null, 'GET', '/'),
  ];
  for (const r of answers) {
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    const csp = r.headers.get('content-security-policy');
    assert.ok(csp && /frame-ancestors 'none'/.test(csp), `CSP: ${csp}`);
    assert.ok(!csp.includes(','), 'one CSP header, not two');
  }
  assert.match(answers[0].headers.get('content-security-policy'), /default-src 'none'/);
  assert.equal(answers[0].headers.get('cache-control'), 'no-store');
});

test('unknown API route → 404 JSON', async () => {
  const r = await api.get('/api/v1/no/such/route');
  assert.equal(r.status, 404);
  assert.equal(r.json?.error?.code, 'not_found');
});

function slowSocket(port, data) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(data);
      resolve(s);
    });
    s.on('error', () => {});
    s.setTimeout(0);
    s.once('error', reject);
  });
}

test('slow clients do not block other requests', async () => {
  const countBefore = (await api.get('/api/v1/customers?limit=500')).json.data.length;
  const socks = [];
  for (let i = 0; i < 4; i++) socks.push(await slowSocket(srv.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
  for (let i = 0; i < 2; i++) {
    socks.push(await slowSocket(srv.port,
      `POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.users.alice.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":"`));
  }
  try {
    const t0 = Date.now();
    const rs = await Promise.all([
      ...Array.from({ length: 5 }, () => request(srv.url, null, 'GET', '/healthz', { timeoutMs: 5000 * SLOW })),
      ...Array.from({ length: 5 }, () => api.get('/api/v1/customers?limit=5', { timeoutMs: 5000 * SLOW })),
    ]);
    for (const r of rs) assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 < 3000 * SLOW, `took ${Date.now() - t0} ms`);
    // keep trickling a byte; others still fine
    for (const s of socks) s.write('a');
    await sleep(100);
    assertStatus(await api.get('/api/v1/customers?limit=1', { timeoutMs: 5000 * SLOW }), 200);
  } finally {
    for (const s of socks) s.destroy();
  }
  // the half-sent POSTs wrote nothing
  await sleep(200);
  const list = await api.get('/api/v1/customers?limit=500');
  assert.equal(list.json.data.length, countBefore);
});

test('many concurrent requests all succeed', async () => {
  const rs = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2
    ? api.post('/api/v1/customers', { name: `並發 ${i}` })
    : api.get('/api/v1/customers?limit=10'))));
  for (const [i, r] of rs.entries()) assert.equal(r.status, i % 2 ? 201 : 200, r.text);
});

test('access log: JSON lines, no tokens, passwords or session ids', async () => {
  const s3 = await startServer({ users: [{ name: 'carol', role: 'admin' }], accessLog: true });
  let secret, cookie;
  try {
    const api3 = s3.api('carol');
    secret = s3.users.carol.token;
    assertStatus(await api3.post('/api/v1/customers', { name: '日誌 Log' }), 201);
    assertStatus(await api3.get('/api/v1/customers?q=%E6%97%A5'), 200);
    assert.equal((await request(s3.url, null, 'GET', `/api/v1/customers?token=${secret}`)).status, 401);
    const login = await request(s3.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'carol', password: s3.users.carol.password } });
    assertStatus(login, 200);
    cookie = login.headers.getSetCookie().find((c) => c.startsWith('gx_session=')).split(';')[0];
    assertStatus(await request(s3.url, { cookie }, 'GET', '/api/v1/auth/me'), 200);
    await request(s3.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'carol', password: 'wrong-Pa55word' } });
  } finally {
    await s3.stop();
  }
  const fsm = await import('node:fs/promises');
  const text = await fsm.readFile(`${s3.dir}/access.log`, 'utf8');
  await s3.close();
  const lines = text.trim().split('\n');
  assert.ok(lines.length >= 6, `access log lines: ${lines.length}`);
  for (const l of lines) assert.equal(typeof JSON.parse(l), 'object', `not JSON: ${l}`);
  assert.ok(text.includes('/api/v1/customers'), 'paths logged');
  assert.ok(!text.includes(secret), 'token logged');
  assert.ok(!text.includes(secret.slice(3, 20)), 'part of a token logged');
  assert.ok(!text.includes(cookie.split('=')[1]), 'session id logged');
  assert.ok(!text.includes('wrong-Pa55word') && !text.includes(s3.users.carol.password), 'password logged');
});

test('SIGTERM with idle and half-open connections exits 0 promptly', async () => {
  const s2 = await startServer({ users: [{ name: 'bob', role: 'admin' }] });
  const socks = [];
  try {
    // an idle keep-alive connection and a half-sent request
    socks.push(await slowSocket(s2.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n'));
    socks.push(await slowSocket(s2.port, ''));
    assertStatus(await s2.api('bob').post('/api/v1/customers', { name: 'before stop' }), 201);
    const t0 = Date.now();
    await s2.stop(); // asserts exit code 0 and no sanitizer report
    assert.ok(Date.now() - t0 < 10000 * SLOW, `stop took ${Date.now() - t0} ms`);
    // data survives a clean restart
    await s2.start();
    const r = await s2.api('bob').get('/api/v1/customers?q=before%20stop');
    assert.equal(r.json.data.length, 1);
  } finally {
    for (const s of socks) s.destroy();
    await s2.close();
  }
});
