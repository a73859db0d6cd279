// Postgres array literals for the batched writes (usage counts, last uses), built with one
// join instead of pg's per-element escaping: for a flush of 10,000 keys pg spent 30-120 ms
// of the event loop on its arrays (Date elements the most), a stall that every request in
// flight waited out. Only values that need no escaping are joined: lower-case UUIDs and
// safe integers; anything else goes to pg as an array, escaped as before.
const HEX_AND_DASHES = /^[0-9a-f-]*$/;

/**
 * `ids` as a uuid[] literal when each is 36 characters of lower-case hex and dashes (so none
 * holds a comma, a brace or a quote: one element each); else the array itself. Postgres then
 * checks each is a UUID, as it does the escaped array.
 */
export function uuidArray(ids: readonly string[]): string | readonly string[] {
  for (const id of ids) if (id.length !== 36) return ids;
  const joined = ids.join('');
  return HEX_AND_DASHES.test(joined) ? `{${ids.join(',')}}` : ids;
}

/** Safe integers as a bigint[] literal (anything else: the array itself). */
export function integerArray(values: readonly number[]): string | readonly number[] {
  for (const v of values) if (!Number.isSafeInteger(v)) return values;
  return `{${values.join(',')}}`;
}
