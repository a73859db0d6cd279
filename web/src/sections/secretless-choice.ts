// In Create new key (REST Basic, issue 14): "No secret: public keys only". Checked, a field
// for the key's public JWK or JWK Set appears; the key is then made without a secret and gets
// tokens with client assertions (private_key_jwt) only. A field of the create form, so the
// server's refusal of the key shows under it.
import { h, uid } from '../dom';
import { textareaField, type Field } from '../field';
import { bodyOf, JWK_HINT } from './jwk-input';

export interface SecretlessChoice extends Field<HTMLTextAreaElement> {
  /** The create body's extension fields: none, or the pasted keys with generateSecret false. */
  body(): Record<string, never> | { generateSecret: false; jwk: unknown } | { generateSecret: false; jwks: unknown };
}

export function secretlessChoice(): SecretlessChoice {
  const paste = textareaField({ label: 'Public key', name: 'jwk', rows: 4, hint: JWK_HINT });
  const id = uid('secretless');
  const box = h('input', { id, type: 'checkbox', name: 'secretless', 'aria-describedby': `${id}-hint` });
  const topics: string[] = [];
  paste.wrap.hidden = true;
  box.addEventListener('change', () => {
    paste.wrap.hidden = !box.checked;
    // Only while the field is shown does an error about keys belong under it.
    topics.splice(0, topics.length, ...(box.checked ? ['jwk', 'public key', 'json', 'generatesecret'] : []));
    if (box.checked) paste.input.focus();
  });
  const wrap = h(
    'fieldset',
    { class: 'access secretless' },
    h('legend', null, 'Authentication'),
    h('div', { class: 'check' }, box, h('label', { for: id }, 'No secret: public keys only')),
    h('p', { id: `${id}-hint`, class: 'hint' }, 'The key gets tokens with JWTs signed by your private key (private_key_jwt); no secret is made, so none can leak.'),
    paste.wrap,
  );
  return { ...paste, wrap, topics, body: () => (box.checked ? { generateSecret: false as const, ...bodyOf(paste.input.value) } : {}) };
}
