// Option and argument parsers: bad input is refused by commander before any command opens
// the database or creates a data folder, with a message naming the option.
import { InvalidArgumentError } from 'commander';
import { isRole, ROLES, type Role } from '../kernel/roles.js';
import { parseEmail } from '../accounts/user-input.js';

export function name(label: string, max: number) {
  return (value: string): string => {
    const v = value.trim();
    if (!v || [...v].length > max) throw new InvalidArgumentError(`${label} must be 1 to ${max} characters.`);
    return v;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function id(label: string) {
  return (value: string): string => {
    const v = value.trim().toLowerCase();
    if (!UUID.test(v)) throw new InvalidArgumentError(`${label} must be an ID like 0190c1e2-7a5b-7c3d-9e4f-0123456789ab.`);
    return v;
  };
}

export function role(value: string): Role {
  const r = value.trim().toLowerCase();
  if (!isRole(r)) throw new InvalidArgumentError(`--role must be one of ${ROLES.join(', ')}.`);
  return r;
}

/** The service's own rule (accounts/user-input.ts), applied while parsing. */
export function email(value: string): string {
  try {
    return parseEmail(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function seconds(label: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${label} must be a whole number of seconds.`);
    return Number(value.trim());
  };
}

export function timestamp(label: string) {
  return (value: string): Date => {
    const d = new Date(value.trim());
    if (!/^\d{4}-\d\d-\d\d/.test(value.trim()) || Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${label} must be an ISO 8601 time, e.g. 2027-01-31T00:00:00Z.`);
    return d;
  };
}

export function httpUrl(label: string) {
  return (value: string): string => {
    const v = value.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(v) || !URL.canParse(v)) throw new InvalidArgumentError(`${label} must be an http(s) URL, e.g. http://localhost:3000.`);
    return v;
  };
}
