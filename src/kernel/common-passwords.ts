// Whether a password is one that attackers try first: the 49,000 most common leaked
// passwords of zxcvbn-ts's list (@zxcvbn-ts/language-common), compared case-insensitively
// ("Password" is as guessable as "password"). Loaded on first use: the list costs a few MB.
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'] as string[]);
  return common.has(password.toLowerCase());
}

export const COMMON_PASSWORD_MESSAGE =
  'That password is on the list of the most common leaked passwords, which attackers try first: choose another.';
