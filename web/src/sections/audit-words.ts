// An audit event in plain words: who acted, what they did, on which credential. Nothing
// here is HTML: every value from the API goes into text nodes.
import { KIND_SHORT, ROLE_NAMES, type AuditEvent, type Kind, type Role } from '../types';

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
const roleName = (value: unknown): string => ROLE_NAMES[value as Role] ?? text(value);

export function who(event: AuditEvent): string {
  const { actor } = event;
  if (actor.name) return actor.name;
  if (actor.type === 'access_key') return `Access key ${actor.id ?? ''}`.trim();
  if (actor.type === 'user') return `User ${actor.id ?? ''}`.trim();
  return 'Someone not signed in';
}

export function what(event: AuditEvent): string {
  const d = event.details ?? {};
  switch (event.action) {
    case 'credential.create':
      return d.expireTime ? `Created a key expiring ${new Date(text(d.expireTime)).toLocaleString()}` : 'Created a key';
    case 'credential.label_change':
      return 'Renamed a key';
    case 'credential.password_change':
      return 'Changed a legacy password';
    case 'credential.expiry_change':
      return d.to ? `Set a key to expire ${new Date(text(d.to)).toLocaleString()}` : 'Set a key to never expire';
    case 'credential.secret_rotate':
      return `Rotated a key's secret (the previous one works until ${new Date(text(d.previousSecretExpireTime)).toLocaleString()})`;
    case 'credential.secret_revoke_previous':
      return "Revoked a key's previous secret";
    case 'credential.reveal':
      return 'Showed an API key';
    case 'credential.delete':
      return d.withProject ? 'Deleted a key with its project' : 'Deleted a key';
    case 'session.sign_in':
      return 'Signed in';
    case 'session.sign_in_failed':
      return `Failed sign-in as ${text(d.email) || 'a user'}`;
    case 'session.sign_in_failures':
      return `Sign-in blocked for ${text(d.email) || 'an email'} after ${text(d.failures) || 'repeated'} failed attempts`;
    case 'user.add':
      return `Added user ${text(d.email)} as ${roleName(d.role)}`;
    case 'user.role_change':
      return `Changed the role of ${text(d.email)} to ${roleName(d.role)}`;
    case 'user.remove':
      return `Removed user ${text(d.email)}`;
    case 'user.password_change':
      return 'Changed their password';
    case 'user.password_reset':
      return `Reset the password of ${text(d.email)}`;
    case 'project.create':
      return `Created the project ${text(d.name)}`;
    case 'project.rename':
      return `Renamed the project ${text(d.from)} to ${text(d.to)}`;
    case 'project.delete':
      return Number(d.deletedCredentials) > 0
        ? `Deleted the project ${text(d.name)} and its ${text(d.deletedCredentials)} ${Number(d.deletedCredentials) === 1 ? 'key' : 'keys'}`
        : `Deleted the project ${text(d.name)}`;
    case 'account.verification_request':
      return 'Requested account verification';
    case 'account.usage_settings_change':
      return `Set keys unused after ${text(d.unusedKeyDays)} days without a token`;
    case 'quota.change': {
      const limits = [d.tokensPerHour != null ? `${text(d.tokensPerHour)} per hour` : '', d.tokensPerDay != null ? `${text(d.tokensPerDay)} per day` : ''].filter(Boolean).join(', ');
      const whose = d.projectDefault ? "the project's default token quota" : "a key's token quota";
      return limits ? `Set ${whose} to ${limits}` : `Removed ${whose}`;
    }
    case 'credential.public_key_add':
      return `Added the public key ${text(d.kid)} (${text(d.alg)}) to a key`;
    case 'credential.public_key_remove':
      return `Removed the public key ${text(d.kid)} from a key`;
    case 'credential.token_settings_change':
      return d.dpopRequired ? 'Required DPoP for a key' : 'Stopped requiring DPoP for a key';
    default:
      return event.action;
  }
}

export function credentialOf(event: AuditEvent): string {
  const c = event.credential;
  if (!c) return '';
  const kind = c.kind ? (KIND_SHORT[c.kind as Kind] ?? c.kind) : 'Key';
  return c.label ? `${kind}: ${c.label}` : kind;
}
