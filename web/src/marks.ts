// The search answer's highlight (code-point ranges of the matched field,
// found by the server in the index's search form, so 客户 marks 客戶) as
// text segments to render with <mark>. No DOM here: Vitest tests it.
import { segments, type Segment } from './format';

export interface Highlight { field: string; text: string; offset: number; length: number; ranges: [number, number][] }

/** Segments of a highlight's text, marked where the ranges say (counted in
 *  code points, not UTF-16 units: 𠀀 is one); "…" where the text is a
 *  window of a longer value. */
export function markSegments(h: Highlight): Segment[] {
  const chars = Array.from(h.text ?? '');
  const marks = new Array<boolean>(chars.length).fill(false);
  for (const [a, b] of h.ranges || []) for (let i = Math.max(0, a); i < Math.min(b, chars.length); i++) marks[i] = true;
  const cut = (yes: boolean): Segment[] => (yes ? [{ text: '…', hit: false }] : []);
  return [...cut(h.offset > 0), ...segments(chars, marks), ...cut(h.offset + chars.length < h.length)];
}

/** Is the highlight the whole of text (so it can mark that text where it
 *  is shown, e.g. in a title)? */
export function coversWhole(h: Highlight | undefined, field: string, text: string): h is Highlight {
  return !!h && h.field === field && h.offset === 0 && h.text === text;
}
