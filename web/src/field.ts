// A labelled form field with an optional hint and its own error slot, wired with
// aria-describedby so a screen reader reads the rule and the error with the field.
import { h, uid } from './dom';

export interface Field {
  wrap: HTMLElement;
  input: HTMLInputElement;
  /** Words that, in an API error message, say the error is about this field. */
  topics: string[];
  setError(message: string | null): void;
}

export interface FieldOptions {
  label: string;
  name: string;
  type?: 'text' | 'password' | 'email';
  value?: string;
  hint?: string;
  autocomplete?: string;
  topics?: string[];
  maxlength?: number;
}

export function field(opts: FieldOptions): Field {
  const id = uid(opts.name);
  const hintId = opts.hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name: opts.name,
    type: opts.type ?? 'text',
    value: opts.value ?? '',
    autocomplete: opts.autocomplete ?? 'off',
    spellcheck: 'false',
    maxlength: opts.maxlength,
    'aria-describedby': hintId,
  });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, opts.label),
    hintId && h('p', { id: hintId, class: 'hint' }, opts.hint),
    input,
    error,
  );
  return {
    wrap,
    input,
    topics: opts.topics ?? [opts.name.toLowerCase()],
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', [hintId, message ? errorId : null].filter(Boolean).join(' '));
    },
  };
}
