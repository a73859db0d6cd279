// The one form of a name a person gives something (account, project, key, credential label):
// trimmed and in Unicode NFC, so that "Café" typed with a combining accent (NFD) is the same
// name as the precomposed one, and unique as one. Refused with a message naming the rule:
// control characters and line breaks, unpaired surrogates, bidirectional controls (U+202E
// and friends make a name read backwards in a list, "Trojan Source"), and invisible
// characters (zero-width spaces, joiners and the like, soft hyphen, tags): two names that
// look identical must be the same name. An emoji's own joiner and variation selector stay
// allowed (👨‍💻, ❤️).
import { ApiError } from './api-error.js';

// C0 and C1 controls (NUL included) and the line and paragraph separators.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// A lone UTF-16 surrogate is no character: Postgres would silently store U+FFFD instead.
const LONE_SURROGATE = /\p{Cs}/u;
const BIDI = /\p{Bidi_Control}/u;
// Emoji sequences: ZWJ between pictographs, a variation selector after a character.
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\uFE0E\uFE0F]?(?:\p{Emoji_Modifier})?)\u200D(?=\p{Extended_Pictographic})/gu;
const VARIATION = /(?<=\p{Emoji})[\uFE0E\uFE0F]/gu;
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u00AD\u180E\u115F\u1160\u3164\uFFA0]/u;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `name` is refused, or undefined. The name is the NFC form, already trimmed. */
function problem(field: string, name: string, max: number): string | undefined {
  const length = [...name].length;
  if (length < 1) return `${field} must not be empty`;
  if (length > max) return `${field} must be at most ${max} characters`;
  if (CONTROL.test(name)) return `${field} must not contain control characters or line breaks`;
  if (LONE_SURROGATE.test(name)) return `${field} must be valid Unicode text (it has an unpaired surrogate)`;
  const bidi = BIDI.exec(name);
  if (bidi) return `${field} must not contain bidirectional control characters (it has ${codePoint(bidi[0])}), which make text display in another order than it is stored`;
  const invisible = INVISIBLE.exec(name.replace(EMOJI_JOINER, '').replace(VARIATION, ''));
  if (invisible) return `${field} must not contain invisible characters (it has ${codePoint(invisible[0])}): a name must look like what it is`;
  return undefined;
}

/** The name's canonical form (trimmed, NFC), or the message that refuses it. */
export function normalizeName(field: string, value: string, max: number): { name: string } | { error: string } {
  // Unpaired surrogates survive normalize(); they are reported by problem().
  const name = value.trim().normalize('NFC');
  const error = problem(field, name, max);
  return error ? { error } : { name };
}

/** normalizeName, throwing INVALID_ARGUMENT; for names that reach a service by another way than a body schema. */
export function checkName(field: string, value: string, max: number): string {
  const result = normalizeName(field, value, max);
  if ('error' in result) throw ApiError.invalidArgument(`${result.error[0].toUpperCase()}${result.error.slice(1)}.`);
  return result.name;
}
