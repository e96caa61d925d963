// The permission table (admins): pick a role, then each entity × action
// cell is a choice of scope (none, own, team, all), saved as soon as it is
// changed (PATCH /api/v1/roles/{role}); it takes effect at once for every
// user of the role. The admin role is shown but cannot change: it is the
// role that changes the table.
import { useEffect, useState } from 'preact/hooks';
import { get, patch } from '../../api';
import { t } from '../../state';
import { ACTIONS, SCOPES } from '../../admin';
import { ErrorBox, Notice, Spinner } from '../../ui';
import { ROLES } from './common';

type Table = { role: string; entities: Record<string, Record<string, string>> }[];

export function Roles() {
  const [rows, setRows] = useState<Table | null>(null);
  const [role, setRole] = useState('manager');
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => { get<{ data: Table }>('/api/v1/roles').then((r) => setRows(r.data), setError); }, []);

  async function set(entity: string, action: string, scope: string) {
    setNotice(null);
    try {
      const r = await patch<{ data: Table }>(`/api/v1/roles/${role}`, { entities: { [entity]: { [action]: scope } } });
      setRows(r.data);
      setError(null);
      setNotice(t('roles.saved', { role: t('role.' + role), action: t('roles.act.' + action), entity: t('entity.' + entity), scope: t('admin.scope.' + scope) }));
    } catch (err) { setError(err); }
  }

  const current = rows?.find((r) => r.role === role);
  const fixed = role === 'admin';
  return (
    <section>
      <h1>{t('admin.roles')}</h1>
      <p class="hint">{t('roles.hint')}</p>
      <div class="chips" role="group" aria-label={t('users.role')}>
        {ROLES.map((r) => <button type="button" aria-pressed={r === role} onClick={() => { setRole(r); setNotice(null); }}>{t('role.' + r)}</button>)}
      </div>
      <ErrorBox error={error} advice={{ 409: 'roles.err_409', 422: 'roles.err_422' }} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {fixed && <p class="hint">{t('roles.admin_fixed')}</p>}
      {!current ? !error && <Spinner /> : (
        <div class="table-wrap"><table class="grid small perms">
          <caption class="sr-only">{t('roles.caption', { role: t('role.' + role) })}</caption>
          <thead><tr><th scope="col">{t('admin.entity')}</th>{ACTIONS.map((a) => <th scope="col">{t('roles.act.' + a)}</th>)}</tr></thead>
          <tbody>{Object.entries(current.entities).map(([e, acts]) => (
            <tr>
              <th scope="row">{t('entity.' + e)}</th>
              {ACTIONS.map((a) => (
                <td class={'scope-' + acts[a]}>
                  {fixed ? t('admin.scope.' + acts[a]) : (
                    <select name={`${e}.${a}`} value={acts[a]} aria-label={t('roles.cell', { role: t('role.' + role), entity: t('entity.' + e), action: t('roles.act.' + a) })}
                      onChange={(ev) => set(e, a, (ev.target as HTMLSelectElement).value)}>
                      {SCOPES.map((sc) => <option value={sc}>{t('admin.scope.' + sc)}</option>)}
                    </select>
                  )}
                </td>
              ))}
            </tr>
          ))}</tbody>
        </table></div>
      )}
    </section>
  );
}
