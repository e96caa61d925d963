// Pure helpers of the admin screens (no DOM; Vitest tests them): passwords
// to hand out, calendar days in the user's time zone as the audit log's
// RFC 3339 bounds, the audit query, one line per audit entry, the team tree.

export const ACTIONS = ['read', 'create', 'update', 'delete', 'export'] as const;
export const SCOPES = ['none', 'own', 'team', 'all'] as const;

// No 0/O, 1/l/I: the password is read out or copied by a person.
const PW_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_';

/** A random password for a new or reset account (16 characters, about 94
 *  bits), drawn without modulo bias. */
export function generatePassword(len = 16, random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const limit = 256 - (256 % PW_ALPHABET.length);
  let out = '';
  while (out.length < len) {
    for (const b of random(len * 2)) {
      if (b < limit && out.length < len) out += PW_ALPHABET[b % PW_ALPHABET.length];
    }
  }
  return out;
}

/** Minutes east of UTC of time zone tz at instant ms. */
function offsetMinutes(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant a calendar day (YYYY-MM-DD) starts in time zone tz, as RFC
 *  3339 UTC; with end, the last millisecond of that day. null if not a day. */
export function zonedDay(day: string, tz: string, end = false): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(day || '');
  if (!m) return null;
  const local = Date.UTC(+m[1], +m[2] - 1, +m[3] + (end ? 1 : 0));
  if (isNaN(local)) return null;
  // the offset at the guess, then again at the result (a DST change that day)
  let at = local - offsetMinutes(local, tz) * 60000;
  at = local - offsetMinutes(at, tz) * 60000;
  return new Date(end ? at - 1 : at).toISOString();
}

export interface AuditFilter { user: string; entity: string; action: string; record: string; from: string; to: string }
export const NO_AUDIT_FILTER: AuditFilter = { user: '', entity: '', action: '', record: '', from: '', to: '' };

/** The query of GET /api/v1/audit for a filter (days in time zone tz). */
export function auditQuery(f: AuditFilter, tz: string, limit: number, cursor?: string | null): Record<string, string | number | undefined> {
  const rec = f.record.trim();
  return {
    user: f.user || undefined,
    entity: f.entity || undefined,
    action: f.action.trim() || undefined,
    record: /^\d+$/.test(rec) && Number(rec) > 0 ? rec : undefined,
    from: zonedDay(f.from, tz) || undefined,
    to: zonedDay(f.to, tz, true) || undefined,
    limit,
    cursor: cursor || undefined,
  };
}

const show = (v: unknown) => (v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));

/** One line for an audit entry's detail: the changed fields of a record,
 *  the name tried at a failed sign-in, the changed permissions … */
export function auditSummary(a: { source?: string; action?: string; detail?: any }): string {
  const d = a.detail;
  if (d === null || d === undefined) return '';
  if (Array.isArray(d)) {
    return d.filter((c) => c && c.field).map((c) => `${c.field}: ${show(c.old)} → ${show(c.new)}`).join('; ');
  }
  if (typeof d !== 'object') return show(d);
  if (a.action === 'role_changed' && Array.isArray(d.changes)) {
    return `${d.role}: ` + d.changes.map((c: string[]) => `${c[0]}.${c[1]} = ${c[2]}`).join(', ');
  }
  if (d.before !== undefined || d.after !== undefined) {
    const b = d.before || {}, n = d.after || {};
    const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(n)]))
      .filter((k) => k !== 'updated_at' && JSON.stringify(b[k]) !== JSON.stringify(n[k]));
    const name = n.name || b.name || '';
    const parts = keys.map((k) => `${k}: ${show(b[k])} → ${show(n[k])}`);
    if (d.password) parts.push('password: changed');
    return [name, parts.join('; ')].filter(Boolean).join(' — ');
  }
  return Object.entries(d).map(([k, v]) => `${k}: ${show(v)}`).join(', ');
}

export interface Team { id: number; name: string; parent_id: number | null; description?: string | null }

/** Teams in tree order (each after its parent), with their depth; a team
 *  whose parent is unknown starts a tree of its own. */
export function teamTree(teams: Team[]): { team: Team; depth: number }[] {
  const byParent = new Map<number | null, Team[]>();
  const ids = new Set(teams.map((x) => x.id));
  for (const x of teams) {
    const p = x.parent_id !== null && ids.has(x.parent_id) ? x.parent_id : null;
    byParent.set(p, [...(byParent.get(p) || []), x]);
  }
  const out: { team: Team; depth: number }[] = [];
  const seen = new Set<number>();
  const walk = (p: number | null, depth: number) => {
    for (const x of (byParent.get(p) || []).sort((a, b) => a.name.localeCompare(b.name))) {
      if (seen.has(x.id)) continue;
      seen.add(x.id);
      out.push({ team: x, depth });
      walk(x.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The ids of team id and every team below it (not to be chosen as its parent). */
export function teamAndBelow(teams: Team[], id: number): Set<number> {
  const out = new Set<number>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const x of teams) {
      if (x.parent_id !== null && out.has(x.parent_id) && !out.has(x.id)) { out.add(x.id); grew = true; }
    }
  }
  return out;
}
