// The admin screens' pure helpers.
import { expect, test } from 'vitest';
import { auditQuery, auditSummary, generatePassword, NO_AUDIT_FILTER, teamAndBelow, teamTree, zonedDay } from './admin';

test('generated passwords: long, from the unambiguous alphabet, different each time', () => {
  const a = generatePassword(), b = generatePassword();
  expect(a).toHaveLength(16);
  expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9_-]+$/);
  expect(a).not.toBe(b);
  expect(new Set(a).size).toBeGreaterThan(1);
  // bytes past the last whole multiple of the alphabet are skipped (no modulo bias)
  let calls = 0;
  const pw = generatePassword(4, (n) => { calls++; return new Uint8Array(n).fill(calls === 1 ? 255 : 0); });
  expect(pw).toBe('aaaa');
  expect(calls).toBe(2);
});

test('a calendar day in a time zone becomes its first and last instant in UTC', () => {
  expect(zonedDay('2026-11-23', 'Asia/Taipei')).toBe('2026-11-22T16:00:00.000Z');
  expect(zonedDay('2026-11-23', 'Asia/Taipei', true)).toBe('2026-11-23T15:59:59.999Z');
  expect(zonedDay('2026-11-23', 'UTC')).toBe('2026-11-23T00:00:00.000Z');
  expect(zonedDay('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
  expect(zonedDay('2026-01-15', 'America/New_York')).toBe('2026-01-15T05:00:00.000Z');
  // the day New York moves its clocks forward is 23 hours long
  expect(zonedDay('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
  expect(zonedDay('2026-03-08', 'America/New_York', true)).toBe('2026-03-09T03:59:59.999Z');
  expect(zonedDay('', 'UTC')).toBeNull();
  expect(zonedDay('23/11/2026', 'UTC')).toBeNull();
});

test('the audit query: only what is set, record ids whole, days in the zone', () => {
  expect(auditQuery(NO_AUDIT_FILTER, 'UTC', 50)).toEqual({
    user: undefined, entity: undefined, action: undefined, record: undefined, from: undefined, to: undefined, limit: 50, cursor: undefined,
  });
  const q = auditQuery({ user: '林小姐', entity: 'teams', action: ' update ', record: '12', from: '2026-11-01', to: '2026-11-02' }, 'Asia/Hong_Kong', 50, 'c1');
  expect(q).toEqual({
    user: '林小姐', entity: 'teams', action: 'update', record: '12',
    from: '2026-10-31T16:00:00.000Z', to: '2026-11-02T15:59:59.999Z', limit: 50, cursor: 'c1',
  });
  expect(auditQuery({ ...NO_AUDIT_FILTER, record: '1.5' }, 'UTC', 10).record).toBeUndefined();
  expect(auditQuery({ ...NO_AUDIT_FILTER, record: '0' }, 'UTC', 10).record).toBeUndefined();
});

test('one line per audit entry', () => {
  expect(auditSummary({ source: 'record', detail: [{ field: 'name', old: '華南區', new: '华南区' }, { field: 'parent_id', old: null, new: 3 }] }))
    .toBe('name: 華南區 → 华南区; parent_id: ∅ → 3');
  expect(auditSummary({ action: 'user_changed', detail: { user_id: 4, before: { name: 'wen', role: 'sales', disabled: false, updated_at: 'a' }, after: { name: 'wen', role: 'manager', disabled: true, updated_at: 'b' }, password: 'changed' } }))
    .toBe('wen — role: sales → manager; disabled: false → true; password: changed');
  expect(auditSummary({ action: 'role_changed', detail: { role: 'sales', changes: [['customers', 'read', 'all']] } })).toBe('sales: customers.read = all');
  expect(auditSummary({ action: 'login_failed', detail: { name: 'x', locked: false } })).toBe('name: x, locked: false');
  expect(auditSummary({ action: 'login', detail: null })).toBe('');
});

test('teams in tree order with depth; a team cannot go below itself', () => {
  const teams = [
    { id: 1, name: 'north', parent_id: null }, { id: 2, name: 'south', parent_id: null },
    { id: 3, name: 'north-east', parent_id: 1 }, { id: 4, name: 'ne-1', parent_id: 3 }, { id: 5, name: 'orphan', parent_id: 99 },
  ];
  expect(teamTree(teams).map((x) => `${x.depth}:${x.team.name}`)).toEqual(['0:north', '1:north-east', '2:ne-1', '0:orphan', '0:south']);
  expect([...teamAndBelow(teams, 1)].sort()).toEqual([1, 3, 4]);
  expect([...teamAndBelow(teams, 2)]).toEqual([2]);
  // a loop (which the server refuses) does not hang the screen
  expect(teamTree([{ id: 1, name: 'a', parent_id: 2 }, { id: 2, name: 'b', parent_id: 1 }])).toEqual([]);
});
