// What a client sends to set a key's grants (v1 extension fields, the console API): the
// shape (zod), then the check against the account's APIs. Every refusal is a 400 that names
// the API or scope at fault; nothing is written until all of it is valid.
import { z } from 'zod';
import { ApiError } from '../kernel/api-error.js';
import { CUSTOM_CLAIMS_MAX_BYTES, MANAGEMENT_SCOPE_LIST, RESERVED_CLAIMS } from '../kernel/grants.js';
import type { GrantRow } from './queries.js';
import type { ApiDef } from './catalog.js';

const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'a scope is 1 to 100 characters, no spaces or quotes');

export const grantField = z
  .array(
    z
      .object(
        {
          api: z.string({ error: 'grants[].api is required: the identifier (absolute URI) of an API of this account' }).min(1).max(500),
          scopes: z.array(scopeToken, { error: 'grants[].scopes must be an array of scope names' }).max(100),
          default: z.boolean({ error: 'grants[].default must be true or false' }).optional(),
        },
        { error: 'each grant must be an object {api, scopes, default?}' },
      )
      .strict(),
    { error: 'grants must be an array of {api, scopes, default?}' },
  )
  .max(50, 'at most 50 grants per key');

export const customClaimsField = z
  .record(z.string(), z.unknown(), { error: 'customClaims must be a JSON object (or null)' })
  .nullable()
  .superRefine((claims, ctx) => {
    if (!claims) return;
    const reserved = Object.keys(claims).filter((k) => RESERVED_CLAIMS.has(k));
    if (reserved.length) ctx.addIssue({ code: 'custom', message: `customClaims may not set ${reserved.join(', ')}: Keymint sets these claims itself.` });
    else if (Buffer.byteLength(JSON.stringify(claims)) > CUSTOM_CLAIMS_MAX_BYTES) {
      ctx.addIssue({ code: 'custom', message: `customClaims must be at most ${CUSTOM_CLAIMS_MAX_BYTES} bytes of JSON.` });
    }
  });

export type GrantInput = z.output<typeof grantField>;

/** The grants as rows, checked against the account's APIs and the management API's scopes. */
export function resolveGrants(input: GrantInput, apis: readonly ApiDef[], managementAudience: string): GrantRow[] {
  const seen = new Set<string | null>();
  const rows: GrantRow[] = [];
  for (const grant of input) {
    const management = grant.api === managementAudience;
    const api = management ? undefined : apis.find((a) => a.identifier === grant.api);
    if (!management && !api) {
      throw ApiError.invalidArgument(`grants: ${grant.api} is not an API of this account (nor Keymint's management API, ${managementAudience}).`);
    }
    const apiId = api?.id ?? null;
    if (seen.has(apiId)) throw ApiError.invalidArgument(`grants: ${grant.api} is listed twice; give each API once, with all its scopes.`);
    seen.add(apiId);
    const defined = management ? MANAGEMENT_SCOPE_LIST : api!.scopes;
    const unknown = grant.scopes.filter((s) => !defined.includes(s));
    if (unknown.length) {
      throw ApiError.invalidArgument(`grants: ${grant.api} defines no scope ${unknown.join(', ')} (it defines: ${defined.join(' ') || 'none'}).`);
    }
    rows.push({ api_id: apiId, scopes: [...new Set(grant.scopes)], is_default: grant.default === true });
  }
  const defaults = rows.filter((r) => r.is_default);
  if (defaults.length > 1) throw ApiError.invalidArgument('grants: at most one grant can be the default.');
  // No default named: the first grant listed is the key's default API.
  if (!defaults.length && rows.length) rows[0].is_default = true;
  return rows;
}

export interface GrantView {
  api: string;
  scopes: string[];
  default: boolean;
}

/** Rows as a client sees them: by API identifier; the management API first, then the APIs in the account's order. */
export function grantViews(rows: readonly GrantRow[], apis: readonly ApiDef[], managementAudience: string): GrantView[] {
  const rank = (r: GrantRow) => (r.api_id === null ? -1 : apis.findIndex((a) => a.id === r.api_id));
  return [...rows].sort((x, y) => rank(x) - rank(y)).flatMap((r) => {
    const identifier = r.api_id === null ? managementAudience : apis.find((a) => a.id === r.api_id)?.identifier;
    return identifier ? [{ api: identifier, scopes: [...r.scopes], default: r.is_default }] : [];
  });
}
