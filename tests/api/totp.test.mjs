// The second factor (RFC 6238 TOTP): set up, enable with a code, then login
// needs the code; a used code is refused; disable needs a code too.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, assertError, assertStatus, request } from './lib/server.mjs';

let srv, tina;
before(async () => {
  srv = await startServer({ users: [{ name: 'root', role: 'admin' }, { name: 'tina', role: 'sales' }] });
  tina = srv.api('tina');
});
after(async () => srv && srv.close());

// An independent implementation (node's HMAC-SHA1) of the code for a step.
function base32decode(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const c of s) {
    value = (value << 5) | abc.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
function code(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32decode(secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, '0');
}
const now = () => Math.floor(Date.now() / 30000);
const login = (body) => request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name: 'tina', password: srv.users.tina.password, ...body } });

test('set up, enable, then the password alone is not enough', async () => {
  const s = await tina.post('/api/v1/auth/totp/setup');
  assertStatus(s, 200);
  assert.match(s.json.secret, /^[A-Z2-7]{32}$/);
  assert.match(s.json.otpauth_uri, /^otpauth:\/\/totp\/Guanxi:tina\?secret=[A-Z2-7]+&issuer=Guanxi/);
  assertStatus(await login({}), 200, 'not enabled yet');
  assertError(await tina.post('/api/v1/auth/totp/enable', { code: '000000' === code(s.json.secret, now()) ? '111111' : '000000' }), 422, 'validation_failed', ['code']);
  assertStatus(await tina.post('/api/v1/auth/totp/enable', { code: code(s.json.secret, now()) }), 204);

  const r = await login({});
  assertError(r, 401, 'unauthorized');
  assert.ok(r.json.error.fields.otp, 'the answer says a code is needed');
  assertError(await login({ otp: '12345' }), 401, 'unauthorized');
  // the previous step's code was used to enable; the next step's is fresh (drift of one step)
  const next = code(s.json.secret, now() + 1);
  assertStatus(await login({ otp: next }), 200);
  assertError(await login({ otp: next }), 401, 'unauthorized');	// no replay
  // a token is not affected
  assertStatus(await tina.get('/api/v1/auth/me'), 200);
  const ev = (await srv.api('root').get('/api/v1/audit?action=totp_enabled')).json.data;
  assert.equal(ev[0].user, 'tina');
});

test('disable needs a valid code; set up again starts over', async () => {
  assertError(await tina.post('/api/v1/auth/totp/disable', { code: 'abcdef' }), 422, 'validation_failed', ['code']);
  assertError(await tina.post('/api/v1/auth/totp/disable', {}), 422, 'validation_failed', ['code']);
  assertError(await srv.api('root').post('/api/v1/auth/totp/disable', { code: '123456' }), 409, 'conflict');
  assertError(await srv.api('root').post('/api/v1/auth/totp/enable', { code: '123456' }), 409, 'conflict');
});
