// Every key of the English dictionary has a non-empty translation in
// 繁體中文 and 简体中文 with the same {placeholders}, and nothing extra;
// every t('…') key used in the sources exists.
import { describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { en, zhHant, zhHans } from './messages';
import { pickLocale, translate, fieldLabel, valueLabel } from './i18n';

const placeholders = (s: string) => (s.match(/\{\w+\}/g) || []).sort();

describe.each([['zh-Hant', zhHant], ['zh-Hans', zhHans]] as const)('%s', (name, dict) => {
  const d = dict as Record<string, string>;
  test('has every English key, non-empty', () => {
    const missing = Object.keys(en).filter((k) => typeof d[k] !== 'string' || d[k].trim() === '');
    expect(missing).toEqual([]);
  });
  test('has no key English lacks', () => {
    expect(Object.keys(d).filter((k) => !(k in en))).toEqual([]);
  });
  test('keeps the placeholders of each string', () => {
    const bad = Object.entries(en).filter(([k, v]) => placeholders(v).join() !== placeholders(d[k] || '').join()).map(([k]) => k);
    expect(bad).toEqual([]);
  });
  test('is translated, not copied from English (but for names and codes)', () => {
    const same = Object.entries(en).filter(([k, v]) => d[k] === v && /[a-z]{3,}/.test(v) && !/^(SMS|IVR|ID)$/.test(v)).map(([k]) => k);
    expect(same).toEqual([]);
  });
  test(`${name}: Traditional and Simplified differ where the scripts do`, () => {
    expect(zhHant['nav.customers']).toBe('客戶');
    expect(zhHans['nav.customers']).toBe('客户');
  });
});

test('every key used in the sources exists in English', () => {
  const dir = path.dirname(new URL(import.meta.url).pathname);
  const files: string[] = [];
  const walk = (p: string) => fs.readdirSync(p, { withFileTypes: true }).forEach((e) => {
    const f = path.join(p, e.name);
    if (e.isDirectory()) walk(f);
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts')) files.push(f);
  });
  walk(dir);
  const used = new Set<string>();
  for (const f of files) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bt\('([a-z0-9_.]+)'\s*[,)]/g)) used.add(m[1]);
  }
  expect(used.size).toBeGreaterThan(50);
  expect([...used].filter((k) => !(k in en))).toEqual([]);
});

test('every value of the API enumerations the UI shows has a key', () => {
  const families: Record<string, string[]> = {
    'ch.': ['phone', 'email', 'sms', 'fax', 'web', 'kiosk', 'ivr', 'face_to_face', 'social', 'chat'],
    'dir.': ['inbound', 'outbound'],
    'idk.': ['phone', 'email', 'member_card', 'policy_no', 'plate', 'national_id', 'external_id'],
    'role.': ['admin', 'manager', 'sales', 'service', 'marketing', 'readonly'],
    'admin.scope.': ['none', 'own', 'team', 'all'],
    'op.': ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'contains', 'prefix', 'null'],
    'entity.': ['customers', 'contacts', 'customer_identifiers', 'interactions', 'teams', 'consents'],
    'theme.': ['light', 'dark', 'system'],
    'imp.status.': ['queued', 'running', 'done', 'failed', 'reverted', 'interrupted'],
    'v.': ['person', 'company', 'female', 'male', 'other', 'unknown', 'basic', 'passive', 'responsible',
      'proactive', 'partner', 'individual', 'intermediary', 'manufacturer', 'true', 'false'],
  };
  const missing = Object.entries(families).flatMap(([p, vs]) => vs.map((v) => p + v)).filter((k) => !(k in en));
  expect(missing).toEqual([]);
});

test('translate fills placeholders and falls back to English, then the key', () => {
  expect(translate('zh-Hant', 'list.page', { n: 3 })).toBe('第 3 頁');
  expect(translate('en', 'search.none', { q: '客户' })).toContain('“客户”');
  expect(translate('zh-Hans', 'no.such.key')).toBe('no.such.key');
});

test('pickLocale maps browser languages', () => {
  expect(pickLocale('zh-TW')).toBe('zh-Hant');
  expect(pickLocale('zh-HK')).toBe('zh-Hant');
  expect(pickLocale('zh-Hant-MO')).toBe('zh-Hant');
  expect(pickLocale('zh-CN')).toBe('zh-Hans');
  expect(pickLocale('zh')).toBe('zh-Hans');
  expect(pickLocale('en-US')).toBe('en');
  expect(pickLocale('fr')).toBe('en');
  expect(pickLocale(undefined)).toBe('en');
});

test('field and value labels: translated, else the server label', () => {
  expect(fieldLabel('zh-Hans', 'city')).toBe('城市');
  expect(fieldLabel('zh-Hant', 'vip_level', 'VIP level')).toBe('VIP level');
  expect(valueLabel('zh-Hant', 'preferred_channel', 'phone')).toBe('電話');
  expect(valueLabel('en', 'relationship_type', 'proactive')).toBe('Proactive');
  expect(valueLabel('en', 'x', 'unheard_of')).toBe('unheard_of');
});
