// The console's create of a REST Basic key with public keys or a jwks_uri, and optionally no
// secret (issue 14): the v1 create's checks and writes (access-keys/key-credentials.ts),
// passed to the console's CredentialsService (a lower layer) in server.ts.
import type { KeyCredentialsAtCreate } from '../credentials/service.js';
import { attachKeyCredentials, checkCredentialsInput, hasCredentialsInput, type KeyCredentialsInput } from '../access-keys/key-credentials.js';
import { checkJwksUri, publicKeysOf } from '../access-keys/public-keys-routes.js';
import { findAccessKey } from '../access-keys/queries.js';

export const keyCredentialsAtCreate = (): KeyCredentialsAtCreate => ({
  async prepare(body) {
    const input: KeyCredentialsInput = {
      publicKeys: await publicKeysOf(body),
      jwksUri: body.jwksUri === undefined ? undefined : checkJwksUri(body.jwksUri),
      generateSecret: body.generateSecret,
    };
    if (!hasCredentialsInput(input)) return undefined;
    checkCredentialsInput(input);
    const withSecret = input.generateSecret !== false;
    return {
      withSecret,
      async attach(tx, key) {
        const row = (await findAccessKey(tx, key.projectId, key.accessKeyId))!;
        const { state } = await attachKeyCredentials(tx, { actor: key.caller.actor, address: key.caller.address, accountId: key.accountId, row }, input, withSecret);
        return { hasPublicKeys: state.hasPublicKeys };
      },
    };
  },
});
