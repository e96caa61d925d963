// GET /api/v1/openapi.json: a valid OpenAPI 3.1 document (checked by
// @seriousme/openapi-schema-validator) naming every entity's paths and the
// custom fields added at run time.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, assertError, assertStatus, request, ENTITIES, REPO } from './lib/server.mjs';

let srv, api;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
});
after(async () => srv && srv.close());

async function getDoc() {
  const r = await api.get('/api/v1/openapi.json');
  assertStatus(r, 200);
  assert.match(r.headers.get('content-type') || '', /^application\/(json|openapi\+json)/);
  assert.ok(r.json && typeof r.json === 'object', 'JSON document');
  return r.json;
}

async function validate(doc) {
  const v = new Validator();
  const res = await v.validate(structuredClone(doc));
  assert.ok(res.valid, `OpenAPI document invalid: ${JSON.stringify(res.errors, null, 1)?.slice(0, 3000)}`);
  assert.match(v.version, /^3\.1/);
}

/** Path key for a suffix, allowing either full paths or a servers base of /api/v1. */
function findPath(doc, suffix) {
  const keys = Object.keys(doc.paths || {});
  const norm = (k) => k.replace(/\{[^}]+\}/g, '{id}');
  return keys.find((k) => norm(k) === `/api/v1${suffix}`) || keys.find((k) => norm(k) === suffix);
}

/** Every schema object in the document with a property of this name. */
function schemasWithProperty(node, prop, out = []) {
  if (node && typeof node === 'object') {
    if (node.properties && typeof node.properties === 'object' && prop in node.properties) out.push(node);
    for (const v of Object.values(node)) schemasWithProperty(v, prop, out);
  }
  return out;
}
const typeOf = (s) => (Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : [s.type]);

test('needs authentication', async () => {
  assertError(await request(srv.url, null, 'GET', '/api/v1/openapi.json'), 401, 'unauthorized');
});

test('valid OpenAPI 3.1 with every entity path and method', async () => {
  const doc = await getDoc();
  assert.match(String(doc.openapi), /^3\.1\.\d+$/);
  await validate(doc);
  for (const e of ENTITIES) {
    const list = findPath(doc, `/${e}`);
    const item = findPath(doc, `/${e}/{id}`);
    assert.ok(list, `path for /${e} in ${Object.keys(doc.paths)}`);
    assert.ok(item, `path for /${e}/{id}`);
    assert.ok(doc.paths[list].get && doc.paths[list].post, `${list}: get and post`);
    for (const m of ['get', 'patch', 'delete']) assert.ok(doc.paths[item][m], `${item}: ${m}`);
    const hist = findPath(doc, `/${e}/{id}/history`);
    const rest = findPath(doc, `/${e}/{id}/restore`);
    assert.ok(hist && doc.paths[hist].get, `history path for ${e}`);
    assert.ok(rest && doc.paths[rest].post, `restore path for ${e}`);
  }
  // built-in fields are described with their types and limits
  const names = schemasWithProperty(doc, 'relationship_type');
  assert.ok(names.length > 0, 'customers schema has relationship_type');
  const rt = names[0].properties.relationship_type;
  const enumOf = rt.enum || rt.oneOf?.flatMap((x) => x.enum || []) || rt.anyOf?.flatMap((x) => x.enum || []);
  for (const v of ['basic', 'passive', 'responsible', 'proactive', 'partner']) assert.ok(enumOf.includes(v), `relationship_type enum has ${v}`);
  assert.ok(schemasWithProperty(doc, 'customer_id').length > 0);
  assert.ok(doc.paths[findPath(doc, '/customers')].get.parameters || doc.paths[findPath(doc, '/customers')].parameters, 'list parameters documented');
});

test('every route of the route table is in the document, with its method and answers', async () => {
  // the route table (src/api/routes.c) is what the server answers; a route
  // added there and not here would be an endpoint clients cannot discover
  const table = await fs.readFile(path.join(REPO, 'src/api/routes.c'), 'utf8');
  const routes = [...table.matchAll(/\.method = "(\w+)", \.path = "([^"]+)"/g)]
    .map(([, method, p]) => [method.toLowerCase(), p])
    .filter(([, p]) => p.startsWith('/api/'));
  assert.ok(routes.length > 50, `routes read from routes.c: ${routes.length}`);
  const doc = await getDoc();
  await validate(doc);
  const ids = new Set();
  for (const [method, p] of routes) {
    // an entity's routes, for customers (the entity that has them all)
    const wanted = p.replace(/^\/api\/v1\/:entity/, '/api/v1/customers').replace(/:(\w+)/g, '{$1}');
    const norm = (k) => k.replace(/\{[^}]+\}/g, '{}');
    const key = Object.keys(doc.paths).find((k) => norm(k) === norm(wanted));
    assert.ok(key && doc.paths[key][method], `${method.toUpperCase()} ${wanted} is documented`);
    const o = doc.paths[key][method];
    assert.ok(o.operationId && o.summary, `${method} ${key}: operationId and summary`);
    assert.ok(Object.keys(o.responses).some((s) => /^2\d\d$/.test(s)), `${method} ${key}: a success answer`);
    const named = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const params = [...(doc.paths[key].parameters || []), ...(o.parameters || [])].filter((x) => x.in === 'path');
    for (const n of named) assert.ok(params.some((x) => x.name === n), `${method} ${key}: parameter ${n}`);
  }
  for (const item of Object.values(doc.paths)) {
    for (const o of Object.values(item)) {
      if (!o.operationId) continue;
      assert.ok(!ids.has(o.operationId), `operationId ${o.operationId} once`);
      ids.add(o.operationId);
    }
  }
  // only where the server answers: erase is for customers alone
  assert.ok(findPath(doc, '/customers/{id}/erase'));
  assert.equal(findPath(doc, '/interactions/{id}/erase'), undefined);
});

test('custom fields appear in the document, and go when deleted', async () => {
  assertStatus(await api.post('/api/v1/meta/entities/customers/fields', { name: 'vip_level', type: 'integer', label: 'VIP 等級' }), 201);
  assertStatus(await api.post('/api/v1/meta/entities/customers/fields', { name: 'tier', type: 'enum', values: ['member', 'vip', 'diamond'] }), 201);
  assertStatus(await api.post('/api/v1/meta/entities/interactions/fields', { name: 'satisfaction', type: 'number' }), 201);
  let doc = await getDoc();
  await validate(doc);
  const vip = schemasWithProperty(doc, 'vip_level');
  assert.ok(vip.length > 0, 'vip_level in a schema');
  assert.ok(vip.every((s) => !('satisfaction' in s.properties)), 'customers and interactions schemas are separate');
  assert.deepEqual(typeOf(vip[0].properties.vip_level), ['integer']);
  const tier = schemasWithProperty(doc, 'tier')[0].properties.tier;
  const tierEnum = (tier.enum || tier.anyOf?.flatMap((x) => x.enum || []) || []).filter((x) => x !== null);
  assert.deepEqual(tierEnum, ['member', 'vip', 'diamond']);
  assert.ok(schemasWithProperty(doc, 'satisfaction').length > 0, 'satisfaction in a schema');

  assertStatus(await api.del('/api/v1/meta/entities/customers/fields/vip_level'), 204);
  doc = await getDoc();
  await validate(doc);
  assert.equal(schemasWithProperty(doc, 'vip_level').length, 0, 'vip_level gone');
  assert.ok(schemasWithProperty(doc, 'tier').length > 0);
});
