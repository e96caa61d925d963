// Admin screens, one file each under admin/: users, teams, the role
// permission table, custom fields of customers, the audit log.
import { Users } from './admin/Users';
import { Teams } from './admin/Teams';
import { Roles } from './admin/Roles';
import { Fields } from './admin/Fields';
import { Audit } from './admin/Audit';

export function Admin({ section }: { section: string }) {
  if (section === 'users') return <Users />;
  if (section === 'teams') return <Teams />;
  if (section === 'roles') return <Roles />;
  if (section === 'fields') return <Fields />;
  return <Audit />;
}
