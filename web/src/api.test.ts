// The HTTP client: errors as ApiError, including bodies that are not JSON.
import { afterEach, expect, test, vi } from 'vitest';
import { ApiError, call, fetchFile, qs } from './api';

afterEach(() => { vi.unstubAllGlobals(); });

const answer = (status: number, body: string, headers: Record<string, string> = {}) =>
  vi.stubGlobal('fetch', vi.fn(async () => new Response(status === 204 ? null : body, { status, headers })));

test('a JSON error answer gives its code, message and fields', async () => {
  answer(422, JSON.stringify({ error: { code: 'invalid', message: 'bad name', fields: { name: 'too long' } } }));
  const e = await call('POST', '/api/v1/customers', { body: {} }).catch((x) => x);
  expect(e).toBeInstanceOf(ApiError);
  expect([e.status, e.code, e.message, e.fields]).toEqual([422, 'invalid', 'bad name', { name: 'too long' }]);
});

test('an error answer that is not JSON, or empty, still gives an ApiError', async () => {
  answer(502, '<html>Bad Gateway</html>');
  let e = await call('GET', '/api/v1/customers').catch((x) => x);
  expect([e.status, e.code, e.body]).toEqual([502, 'http_502', null]);
  answer(429, '', { 'Retry-After': '7' });
  e = await fetchFile('/api/v1/customers/export').catch((x) => x);
  expect([e.status, e.code, e.retryAfter]).toEqual([429, 'http_429', 7]);
});

test('a 2xx answer with no body or a body that is not JSON is null', async () => {
  answer(204, '');
  expect(await call('DELETE', '/api/v1/customers/1')).toBeNull();
  answer(200, 'not json');
  expect(await call('GET', '/api/v1/customers')).toBeNull();
});

test('a network failure is status 0; an abort stays an AbortError', async () => {
  vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
  const e = await call('GET', '/x').catch((x) => x);
  expect([e instanceof ApiError, e.status, e.code]).toEqual([true, 0, 'network']);
  const f = await fetchFile('/x').catch((x) => x);
  expect([f instanceof ApiError, f.status]).toEqual([true, 0]);
  vi.stubGlobal('fetch', vi.fn(async () => { throw new DOMException('aborted', 'AbortError'); }));
  const a = await call('GET', '/x').catch((x) => x);
  expect([a instanceof ApiError, a.name]).toEqual([false, 'AbortError']);
});

test('qs leaves out empty values and repeats arrays', () => {
  expect(qs({ a: 1, b: '', c: null, d: undefined, f: ['x:eq:1', 'y:ne:2'] })).toBe('?a=1&f=x%3Aeq%3A1&f=y%3Ane%3A2');
  expect(qs({})).toBe('');
});
