// Key and project IDs are UUIDs (key IDs v7): the one check of that shape, made before any
// query so that a malformed ID never reaches Postgres as a uuid cast error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
