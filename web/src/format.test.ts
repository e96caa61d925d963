// Formatters and the pure helpers of the screens.
import { expect, test } from 'vitest';
import {
  csvRows, jobPercent, progressPercent, filterParam, formatDate, formatDateTime, formatMoney, formatNumber, highlight, isMasked,
  looksLikeIdentifier, parseFilterParam, safeTimeZone, timeZones,
} from './format';

test('date-times in the user time zone and language', () => {
  const iso = '2026-11-22T16:30:00.000Z';
  expect(formatDateTime(iso, 'en', 'UTC')).toMatch(/22 Nov 2026.*16:30/);
  expect(formatDateTime(iso, 'en', 'Asia/Taipei')).toMatch(/23 Nov 2026.*00:30/);
  expect(formatDateTime(iso, 'zh-Hant', 'Asia/Taipei')).toMatch(/2026年11月23日.*00:30/);
  expect(formatDateTime(iso, 'zh-Hans', 'America/New_York')).toMatch(/2026年11月22日.*11:30/);
  expect(formatDateTime(null, 'en', 'UTC')).toBe('');
  expect(formatDateTime('not a date', 'en', 'UTC')).toBe('not a date');
});

test('calendar dates do not move with the time zone', () => {
  expect(formatDate('1990-01-01', 'en')).toMatch(/1 Jan 1990/);
  expect(formatDate('1990-01-01', 'zh-Hans')).toMatch(/1990年1月1日/);
});

test('numbers and money in the locale', () => {
  expect(formatNumber(1234567.5, 'en')).toBe('1,234,567.5');
  expect(formatNumber(1234567, 'zh-Hant')).toBe('1,234,567');
  expect(formatNumber(null, 'en')).toBe('');
  expect(formatMoney(100, 'zh-Hans', 'CNY')).toBe('¥100.00');
  expect(formatMoney(100, 'zh-Hant', 'TWD')).toMatch(/\$100\.00/);
});

test('an unknown time zone falls back to UTC', () => {
  expect(safeTimeZone('Mars/Olympus')).toBe('UTC');
  expect(safeTimeZone('Asia/Hong_Kong')).toBe('Asia/Hong_Kong');
  expect(timeZones()[0]).toBe('UTC');
  expect(timeZones()).toContain('Asia/Taipei');
});

test('highlight marks each query word, case-insensitively', () => {
  expect(highlight('Wang Xiaoming', 'xiao')).toEqual([{ text: 'Wang ', hit: false }, { text: 'Xiao', hit: true }, { text: 'ming', hit: false }]);
  expect(highlight('客戶貿易', '客戶')).toEqual([{ text: '客戶', hit: true }, { text: '貿易', hit: false }]);
  expect(highlight('abc', '')).toEqual([{ text: 'abc', hit: false }]);
  expect(highlight('王小明', 'wxm')).toEqual([{ text: '王小明', hit: false }]);
});

test('masked values are recognised', () => {
  expect(isMasked('138****8000')).toBe(true);
  expect(isMasked('w***@example.com')).toBe(true);
  expect(isMasked('+86 138 0013 8000')).toBe(false);
  expect(isMasked(null)).toBe(false);
});

test('filters round-trip, values may hold colons', () => {
  const f = { field: 'notes', op: 'contains', value: 'a:b' };
  expect(filterParam(f)).toBe('notes:contains:a:b');
  expect(parseFilterParam('notes:contains:a:b')).toEqual(f);
  expect(parseFilterParam('bad')).toBeNull();
});

test('identifiers are told from names', () => {
  expect(looksLikeIdentifier('+86 138-0013-8000')).toBe(true);
  expect(looksLikeIdentifier('w@example.com')).toBe(true);
  expect(looksLikeIdentifier('ABC-12345')).toBe(true);
  expect(looksLikeIdentifier('王小明')).toBe(false);
  expect(looksLikeIdentifier('wang xiaoming')).toBe(false);
  expect(looksLikeIdentifier('123')).toBe(false);
});

test('csvRows reads the preview rows of a CSV', () => {
  expect(csvRows('\ufeffname,city\r\n"Wang, Xiaoming",广州\n"say ""hi""",\n', 5)).toEqual([
    ['name', 'city'], ['Wang, Xiaoming', '广州'], ['say "hi"', ''],
  ]);
  expect(csvRows('a,b\n"line\nbreak",x\n', 5)).toEqual([['a', 'b'], ['line\nbreak', 'x']]);
  expect(csvRows('a\nb\nc\nd', 2)).toEqual([['a'], ['b']]);
  expect(csvRows('', 5)).toEqual([]);
});

test('progressPercent', () => {
  expect(progressPercent(50, 200)).toBe(25);
  expect(progressPercent(5, 0)).toBe(0);
  expect(progressPercent(300, 200)).toBe(100);
});

test('jobPercent', () => {
  expect(jobPercent(null)).toBe(0);
  expect(jobPercent({ status: 'running', processed: 50, total: 200 })).toBe(25);
  expect(jobPercent({ status: 'running', processed: 50, total: null })).toBe(0);
  expect(jobPercent({ status: 'done', processed: 7, total: null })).toBe(100);
  expect(jobPercent({ status: 'failed', processed: 50, total: 200 })).toBe(25);
});
