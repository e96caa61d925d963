// Helpers for the API tests: start a real `guanxi serve` on a free port with a
// temporary data folder, talk to it over HTTP, and stop it checking that it
// exited cleanly and that no sanitizer (ASan/UBSan/LSan) reported anything.
//
//   GUANXI_BIN        the binary (default build/guanxi, relative to the repo root)
//   GUANXI_KEEP_TMP=1 keep the temporary data folders

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.resolve(REPO, process.env.GUANXI_BIN || 'build/guanxi');
// Sanitizer builds run about 3x slower: stretch every timeout.
export const SLOW = Number(process.env.GUANXI_TEST_SLOW) || (/asan|san\b/i.test(BIN) ? 3 : 1);

const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer|UndefinedBehaviorSanitizer|runtime error:/;

export function sanitizerReport(text) {
  const m = SANITIZER_RE.exec(text || '');
  if (!m) return null;
  return text.slice(Math.max(0, m.index - 200), m.index + 3000);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run the CLI: resolves {code, signal, stdout, stderr}; never rejects on exit status.
 *  Fails (throws) if a sanitizer reported anything. */
export function cli(args, { input, env, timeoutMs = 60000 * SLOW, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: cwd || REPO,
      env: { ...process.env, ...(env || {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`guanxi ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${BIN}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const rep = sanitizerReport(stderr) || sanitizerReport(stdout);
      if (rep) return reject(new Error(`sanitizer report from guanxi ${args.join(' ')}:\n${rep}`));
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Like cli() but asserts exit code 0. */
export async function cliOk(args, opts) {
  const r = await cli(args, opts);
  assert.equal(r.code, 0, `guanxi ${args.join(' ')} exited ${r.code} (signal ${r.signal}): ${r.stderr}`);
  return r;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function makeDataDir(prefix = 'guanxi-test-') {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Send a request and return {status, headers, json, text}. `auth` is a token
 *  string, {cookie: 'gx_session=…'}, or null. */
export async function request(baseUrl, auth, method, p, { body, headers = {}, raw, timeoutMs = 30000 * SLOW } = {}) {
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  if (typeof auth === 'string' && !('authorization' in h)) h.authorization = `Bearer ${auth}`;
  else if (auth && auth.cookie && !('cookie' in h)) {
    h.cookie = auth.cookie;
    if (auth.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = auth.csrf;
  }
  let payload;
  if (raw !== undefined) {
    payload = raw;
    if (!('content-type' in h)) h['content-type'] = 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    if (!('content-type' in h)) h['content-type'] = 'application/json';
  }
  for (const k of Object.keys(h)) if (h[k] === null) delete h[k];
  const res = await fetch(baseUrl + p, {
    method,
    headers: h,
    body: payload,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** A small client bound to a server (follows it across restarts). */
export function client(server, auth) {
  const call = (method, p, opts = {}) => request(server.url, auth, method, p, opts);
  return {
    auth,
    call,
    get: (p, o) => call('GET', p, o),
    post: (p, body, o = {}) => call('POST', p, { ...o, body }),
    patch: (p, body, o = {}) => call('PATCH', p, { ...o, body }),
    put: (p, body, o = {}) => call('PUT', p, { ...o, body }),
    del: (p, o) => call('DELETE', p, o),
  };
}

/** Raw HTTP/1.1 request with node:http (for bodies the server answers before
 *  reading in full, e.g. 413). Resolves with the response even if the server
 *  closes the connection while we are still sending. */
export function rawHttp(server, { method = 'POST', path: p, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    let done = false;
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method, path: p, headers, agent: false },
      (res) => {
        let chunks = [];
        res.on('data', (c) => chunks.push(c));
        const finish = () => {
          if (done) return;
          done = true;
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        };
        res.on('end', finish);
        res.on('error', finish);
        res.on('close', finish);
      },
    );
    req.setTimeout(30000 * SLOW, () => req.destroy(new Error('raw request timed out')));
    req.on('error', (e) => {
      // EPIPE/ECONNRESET after the server answered early are expected; the
      // response handler resolves. Give it a moment before giving up.
      setTimeout(() => { if (!done) { done = true; reject(e); } }, 500);
    });
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export const ROLES = ['admin', 'manager', 'sales', 'service', 'marketing', 'readonly'];

// Servers still running when this test process exits (a test crashed or the
// runner gave up) are killed, so no orphan keeps a port and a temp folder.
const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

export class GuanxiServer {
  /** users: [{name, role, password?, team?}] (default one admin). */
  /** teams: [{name, parent?}], made before the users. */
  /** accessLog: 'off' (default) or true for DIR/access.log. */
  constructor({ users = [{ name: 'alice', role: 'admin' }], teams = [], env = {}, accessLog = 'off' } = {}) {
    this.userSpecs = users;
    this.teamSpecs = teams;
    this.accessLog = accessLog;
    this.env = env;
    this.dir = null;
    this.port = null;
    this.proc = null;
    this.stderr = '';
    this.stdout = '';
    this.users = {}; // name -> {name, role, password, token}
    this.exits = []; // {code, signal}
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  cli(args, opts = {}) {
    return cli([...args, '--data', this.dir], { ...opts, env: { ...this.env, ...(opts.env || {}) } });
  }

  cliOk(args, opts = {}) {
    return cliOk([...args, '--data', this.dir], { ...opts, env: { ...this.env, ...(opts.env || {}) } });
  }

  /** Make the data folder, init, create users and tokens. */
  async setup() {
    this.dir = await makeDataDir();
    await this.cliOk(['init']);
    // teams in order (a parent before its children), then the users
    for (const t of this.teamSpecs || []) await this.cliOk(['team', 'add', t.name, ...(t.parent ? ['--parent', t.parent] : [])]);
    await Promise.all(this.userSpecs.map((u) => this.addUser(u.name, u.role, u.password, u.team)));
  }

  async addUser(name, role, password = `pw-${name}-秘密-123456`, team) {
    await this.cliOk(['user', 'add', name, '--role', role, ...(team ? ['--team', team] : []), '--password-stdin'], { input: password + '\n' });
    const token = await this.createToken(name);
    this.users[name] = { name, role, password, token };
    return this.users[name];
  }

  async createToken(name) {
    const r = await this.cliOk(['token', 'create', name]);
    const token = r.stdout.trim();
    assert.match(token, /^gx_[A-Za-z0-9_-]{43}$/, `token create printed ${JSON.stringify(r.stdout)}`);
    return token;
  }

  /** Revoke a token via the CLI: find its id in `token list`. */
  async revokeToken(userName, token) {
    const list = await this.cliOk(['token', 'list']);
    const lines = list.stdout.split('\n').filter((l) => l.trim());
    // Prefer a line that names a prefix of the token, else the user's last line.
    let line = lines.filter((l) => token && l.includes(token.slice(0, 8))).pop();
    if (!line) line = lines.filter((l) => new RegExp(`(^|\\s)${userName}(\\s|$)`).test(l)).pop();
    assert.ok(line, `no token of ${userName} in token list:\n${list.stdout}`);
    const m = /\d+/.exec(line);
    assert.ok(m, `no id in token list line ${line}`);
    await this.cliOk(['token', 'revoke', m[0]]);
    return m[0];
  }

  async start() {
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.port || attempt > 0) this.port = await freePort();
      try {
        await this._spawn();
        return this;
      } catch (e) {
        lastErr = e;
        if (!/address|in use|bind|listen/i.test(this.stderrTail())) break;
      }
    }
    throw lastErr;
  }

  stderrTail(n = 3000) {
    return this.stderr.slice(-n);
  }

  async _spawn() {
    const log = this.accessLog === true ? path.join(this.dir, 'access.log') : this.accessLog;
    const args = ['serve', '--data', this.dir, '--listen', `127.0.0.1:${this.port}`, '--access-log', log];
    const proc = spawn(BIN, args, {
      cwd: REPO,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    live.add(proc);
    proc.on('exit', () => live.delete(proc));
    proc.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    proc.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        proc.exitInfo = { code, signal };
        this.exits.push(proc.exitInfo);
        resolve(proc.exitInfo);
      });
      proc.on('error', (e) => {
        proc.exitInfo = { code: -1, signal: null, error: e };
        resolve(proc.exitInfo);
      });
    });
    const deadline = Date.now() + 10000 * SLOW;
    for (;;) {
      if (proc.exitInfo) {
        throw new Error(`guanxi serve exited early (${JSON.stringify(proc.exitInfo)}):\n${this.stderrTail()}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000 * SLOW) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`guanxi serve did not answer /healthz within ${10 * SLOW} s:\n${this.stderrTail()}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM, wait for exit, assert exit code 0 and no sanitizer report. */
  async stop() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (!proc.exitInfo) proc.kill('SIGTERM');
    let timer;
    const info = await Promise.race([proc.exited, new Promise((r) => { timer = setTimeout(() => r(null), 15000 * SLOW); })]);
    clearTimeout(timer);
    if (!info) {
      proc.kill('SIGKILL');
      await proc.exited;
      throw new Error(`guanxi serve did not exit within ${15 * SLOW} s of SIGTERM:\n${this.stderrTail()}`);
    }
    this.checkSanitizers();
    assert.deepEqual(
      { code: info.code, signal: info.signal },
      { code: 0, signal: null },
      `guanxi serve exit after SIGTERM:\n${this.stderrTail()}`,
    );
  }

  /** SIGKILL and wait. */
  async kill9() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    proc.kill('SIGKILL');
    await proc.exited;
    this.checkSanitizers();
  }

  /** Start again on the same data folder (same port if possible). */
  async restart({ hard = false } = {}) {
    if (hard) await this.kill9();
    else await this.stop();
    return this.start();
  }

  checkSanitizers() {
    const rep = sanitizerReport(this.stderr) || sanitizerReport(this.stdout);
    if (rep) throw new Error(`sanitizer report in guanxi serve output:\n${rep}`);
  }

  /** Lines of /metrics counting 5xx answers (a request never gets a 500). */
  async serverErrors() {
    const r = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000 * SLOW) });
    const text = await r.text();
    return text.split('\n').filter((l) => /^guanxi_http_requests_total\{[^}]*status="5\d\d"[^}]*\}\s+[1-9]/.test(l));
  }

  /** Check no 5xx was answered, stop (asserting a clean exit) and remove the data folder. */
  async close() {
    let errors = [];
    try {
      if (this.proc && !this.proc.exitInfo) errors = await this.serverErrors().catch(() => []);
      await this.stop();
    } finally {
      if (this.dir && !process.env.GUANXI_KEEP_TMP) await fs.rm(this.dir, { recursive: true, force: true });
    }
    assert.deepEqual(errors, [], 'the server answered 5xx during this file (see /metrics)');
  }

  api(auth) {
    if (auth === undefined) auth = Object.values(this.users)[0]?.token;
    else if (typeof auth === 'string' && this.users[auth]) auth = this.users[auth].token;
    return client(this, auth);
  }
}

/** Set up and start a server; for use in before(). */
export async function startServer(opts) {
  const s = new GuanxiServer(opts);
  try {
    await s.setup();
    await s.start();
  } catch (e) {
    if (s.proc) await s.kill9().catch(() => {});
    if (s.dir && !process.env.GUANXI_KEEP_TMP) await fs.rm(s.dir, { recursive: true, force: true });
    throw e;
  }
  return s;
}

// ---- assertions shared by the test files ---------------------------------

/** Assert status and the JSON error shape {"error":{"code","message"[,"fields"]}}. */
export function assertError(res, status, code, fields) {
  const ctx = `${res.status} ${res.text.slice(0, 500)}`;
  assert.equal(res.status, status, `expected ${status}, got ${ctx}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `content-type for ${ctx}`);
  assert.ok(res.json && typeof res.json === 'object' && res.json.error, `error body: ${ctx}`);
  const err = res.json.error;
  assert.equal(typeof err.code, 'string', ctx);
  assert.equal(typeof err.message, 'string', ctx);
  assert.ok(err.message.length > 0, `empty message: ${ctx}`);
  if (code !== undefined) {
    if (Array.isArray(code)) assert.ok(code.includes(err.code), `code ${err.code} not in ${code}: ${ctx}`);
    else assert.equal(err.code, code, ctx);
  }
  if (fields !== undefined) {
    assert.ok(err.fields && typeof err.fields === 'object', `no fields in ${ctx}`);
    for (const f of fields) {
      assert.equal(typeof err.fields[f], 'string', `fields.${f} missing in ${ctx}`);
      assert.ok(err.fields[f].length > 0, ctx);
    }
  }
  return err;
}

export function assertStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  return res;
}

export const TS_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Walk all pages of a list; returns the concatenated data. */
export async function listAll(api, entity, params = {}, { limit = 500, maxPages = 100 } = {}) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
      else q.append(k, v);
    }
    q.set('limit', String(limit));
    if (cursor) q.set('cursor', cursor);
    const r = await api.get(`/api/v1/${entity}?${q}`);
    assertStatus(r, 200);
    out.push(...r.json.data);
    cursor = r.json.next_cursor;
    if (cursor === null) return out;
    assert.equal(typeof cursor, 'string');
  }
  throw new Error('too many pages');
}

export const ENTITIES = ['customers', 'contacts', 'customer_identifiers', 'interactions'];

/** A snapshot of everything in the store visible through the API: every
 *  entity's live and deleted records (id + version + updated_at). */
export async function snapshot(api, entities = ENTITIES) {
  const snap = {};
  for (const e of entities) {
    for (const deleted of [false, true]) {
      const rows = await listAll(api, e, deleted ? { deleted: 'true' } : {});
      snap[`${e}${deleted ? ':deleted' : ''}`] = rows
        .map((r) => `${r.id}@${r.version}@${r.updated_at}`)
        .sort();
    }
  }
  return snap;
}

export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  return q.toString();
}
