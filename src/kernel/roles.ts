// The three roles of an account's users and what each may do with API credentials:
// only Administrators create, edit, reveal or delete them; every role may see the list.
export const ROLES = ['administrator', 'advanced', 'basic'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  administrator: 'Administrator',
  advanced: 'Advanced',
  basic: 'Basic',
};

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const canManageCredentials = (role: Role): boolean => role === 'administrator';

export const canViewCredentials = (role: Role): boolean => isRole(role);
