// Which ways a REST Basic key has to get a token (issue 14): its secret, public keys held
// here (private_key_jwt), a jwks_uri, and whether it must send DPoP proofs. Shown in its row.
import { h } from '../dom';
import { getTokenSettings, listPublicKeys, type TokenSettings } from '../public-keys-endpoints';

export interface KeyMethods {
  secret: boolean;
  publicKeys: number;
  settings: TokenSettings;
}

export async function loadMethods(projectId: string, credentialId: string, secret: boolean): Promise<KeyMethods> {
  const [keys, settings] = await Promise.all([listPublicKeys(projectId, credentialId), getTokenSettings(projectId, credentialId)]);
  return { secret, publicKeys: keys.length, settings };
}

/** The methods as a short list: "Secret", "2 public keys", "jwks_uri", "DPoP required". */
export function methodsList(m: KeyMethods): HTMLElement {
  const items = m.secret ? ['Secret'] : [];
  if (m.publicKeys) items.push(m.publicKeys === 1 ? '1 public key' : `${m.publicKeys} public keys`);
  if (m.settings.jwksUri) items.push('jwks_uri');
  if (m.settings.dpopRequired) items.push('DPoP required');
  return h('ul', { class: 'methods' }, items.map((t) => h('li', null, t)));
}
