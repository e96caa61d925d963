// The import screen's column mapping (no DOM; Vitest tests it): the map
// the user builds from the server's preview, the multipart body that sends
// it with the file, and what the preview says about each row.

export interface PreviewColumn { index: number; header: string; suggested: string | null; field: string | null; error?: string }
export interface PreviewRow {
  line: number; outcome: 'create' | 'update' | 'skip' | 'reject'; reason?: string;
  fields?: Record<string, string> | null; values: Record<string, unknown>; cells: string[];
}
export interface Preview {
  entity: string; encoding: string; total: number | null; columns: PreviewColumn[];
  map: Record<string, string | null>; rows: PreviewRow[];
  problem?: { message: string; fields?: Record<string, string> | null };
}

/** Identifier kinds a customer column may hold besides its fields. */
export const IDENTIFIER_COLUMNS = ['member_card', 'policy_no', 'plate', 'national_id', 'external_id'];
/** Fields an import leaves out (an export writes them). */
const NOT_IMPORTED = new Set(['created_at', 'updated_at', 'version', 'deleted_at']);

/** What a column may go to: "id", the entity's fields, identifier kinds. */
export function targets(fieldNames: string[]): string[] {
  const out = fieldNames.filter((f) => !NOT_IMPORTED.has(f));
  for (const k of IDENTIFIER_COLUMNS) if (!out.includes(k)) out.push(k);
  return out;
}

/** The map to preview and import with: the preview's own (every header,
 *  suggestions filled in), with the user's choices over it ('' = leave
 *  the column out). */
export function buildMap(p: Preview | null, choices: Record<string, string>): Record<string, string | null> {
  const map: Record<string, string | null> = {};
  for (const c of p?.columns || []) map[c.header] = c.field;
  for (const [h, f] of Object.entries(choices)) map[h] = f === '' ? null : f;
  return map;
}

/** Headers that two or more columns send to the same field. */
export function clashes(map: Record<string, string | null>): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const [h, f] of Object.entries(map)) if (f) (by[f] ||= []).push(h);
  return Object.fromEntries(Object.entries(by).filter(([, hs]) => hs.length > 1));
}

/** Rows per outcome. */
export function outcomeCounts(rows: PreviewRow[]): Record<PreviewRow['outcome'], number> {
  const n = { create: 0, update: 0, skip: 0, reject: 0 };
  for (const r of rows) n[r.outcome]++;
  return n;
}

/** Indexes of the cells of a rejected row whose column goes to a field
 *  the server named as wrong. */
export function faultyCells(row: PreviewRow, columns: PreviewColumn[]): Set<number> {
  const bad = new Set<number>();
  if (row.outcome !== 'reject' || !row.fields) return bad;
  for (const c of columns) if (c.field && c.field in row.fields!) bad.add(c.index);
  return bad;
}

/** A multipart/form-data body with the file and, if given, the map (as
 *  the import and preview endpoints take them). */
export function multipart(file: Blob, fileName: string, map: Record<string, string | null> | null,
  boundary = 'gx' + Math.random().toString(36).slice(2) + Date.now().toString(36)): { body: Blob; type: string } {
  const name = fileName.replace(/["\r\n]/g, '_');
  const parts: BlobPart[] = [];
  if (map) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="map"\r\nContent-Type: application/json\r\n\r\n`,
      JSON.stringify(map), '\r\n');
  }
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`,
    file, `\r\n--${boundary}--\r\n`);
  return { body: new Blob(parts), type: `multipart/form-data; boundary=${boundary}` };
}
