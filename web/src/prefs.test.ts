// Preferences kept on the server: what wins at sign-in, what a change sends,
// which saved columns are shown.
import { expect, test } from 'vitest';
import { mergeServerPrefs, prefsPatch, visibleColumns } from './prefs';

const local = { locale: 'en' as const, theme: 'system' as const, tz: 'Europe/London', columns: { contacts: ['name'] } };
const known = (z: string) => z !== 'Mars/Olympus';

test('at sign-in the server\'s choices win over this browser\'s; null keeps the browser\'s', () => {
  expect(mergeServerPrefs({ locale: 'zh-Hant', time_zone: 'Asia/Taipei', theme: 'dark', columns: { customers: ['name', 'city'] } }, local, known))
    .toEqual({ locale: 'zh-Hant', theme: 'dark', tz: 'Asia/Taipei', columns: { contacts: ['name'], customers: ['name', 'city'] } });
  expect(mergeServerPrefs({ locale: null, time_zone: null, theme: null, columns: {} }, local, known)).toEqual(local);
  expect(mergeServerPrefs(null, local, known)).toEqual(local);
});

test('a zone this browser does not know is not applied', () => {
  expect(mergeServerPrefs({ locale: null, time_zone: 'Mars/Olympus', theme: null, columns: {} }, local, known).tz).toBe('Europe/London');
});

test('a change sends only preferences, under the server\'s names', () => {
  expect(prefsPatch({ tz: 'Asia/Shanghai' })).toEqual({ time_zone: 'Asia/Shanghai' });
  expect(prefsPatch({ locale: 'zh-Hans', theme: 'light' })).toEqual({ locale: 'zh-Hans', theme: 'light' });
  expect(prefsPatch({ columns: { customers: ['name'] } })).toEqual({ columns: { customers: ['name'] } });
  expect(prefsPatch({})).toBeNull();
  expect(prefsPatch({ user: { id: 1 } } as any)).toBeNull();
});

test('saved columns: fields gone since are left out; none left or none saved → the defaults', () => {
  const defaults = ['name', 'city'];
  expect(visibleColumns(['name', 'vip_level', 'city'], new Set(['name', 'city']), defaults)).toEqual(['name', 'city']);
  expect(visibleColumns(['vip_level'], new Set(['name', 'city']), defaults)).toEqual(defaults);
  expect(visibleColumns(undefined, null, defaults)).toEqual(defaults);
  expect(visibleColumns([], null, defaults)).toEqual(defaults);
  expect(visibleColumns(['local_name'], null, defaults)).toEqual(['local_name']);
});
