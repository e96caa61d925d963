// What the admin screens share: the lists of users and teams several of
// them choose from.
import { get } from '../../api';
import type { Team } from '../../admin';

export interface UserRow { id: number; name: string; role: string; team_id: number | null; disabled: boolean; created_at: string }

export const ROLES = ['admin', 'manager', 'sales', 'service', 'marketing', 'readonly'];

export async function loadUsers(): Promise<UserRow[]> {
  return (await get<{ data: UserRow[] }>('/api/v1/users')).data;
}

export async function loadTeams(): Promise<Team[]> {
  return (await get<{ data: Team[] }>('/api/v1/teams?limit=500')).data;
}
