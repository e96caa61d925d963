// Rendering the server's highlight ranges.
import { expect, test } from 'vitest';
import { coversWhole, markSegments } from './marks';

test('ranges in code points mark the text as written', () => {
  expect(markSegments({ field: 'local_name', text: '王客戶', offset: 0, length: 3, ranges: [[1, 3]] }))
    .toEqual([{ text: '王', hit: false }, { text: '客戶', hit: true }]);
  // a character beyond the BMP is one code point (two UTF-16 units)
  expect(markSegments({ field: 'name', text: '𠀀客戶', offset: 0, length: 3, ranges: [[1, 2]] }))
    .toEqual([{ text: '𠀀', hit: false }, { text: '客', hit: true }, { text: '戶', hit: false }]);
  expect(markSegments({ field: 'name', text: 'abc', offset: 0, length: 3, ranges: [] })).toEqual([{ text: 'abc', hit: false }]);
  expect(markSegments({ field: 'name', text: 'abc', offset: 0, length: 3, ranges: [[-2, 99]] })).toEqual([{ text: 'abc', hit: true }]);
});

test('a window of a long value shows where it was cut', () => {
  expect(markSegments({ field: 'subject', text: 'xx客戶yy', offset: 10, length: 30, ranges: [[2, 4]] })).toEqual([
    { text: '…', hit: false }, { text: 'xx', hit: false }, { text: '客戶', hit: true }, { text: 'yy', hit: false }, { text: '…', hit: false },
  ]);
});

test('a highlight marks a title part only when it is that whole field', () => {
  const h = { field: 'local_name', text: '王客戶', offset: 0, length: 3, ranges: [[1, 3]] as [number, number][] };
  expect(coversWhole(h, 'local_name', '王客戶')).toBe(true);
  expect(coversWhole(h, 'name', '王客戶')).toBe(false);
  expect(coversWhole({ ...h, offset: 5 }, 'local_name', '王客戶')).toBe(false);
  expect(coversWhole(undefined, 'local_name', '王客戶')).toBe(false);
});
