// A labelled form field (a text input, a select or a textarea) with an optional hint and its own
// error slot, wired with aria-describedby so a screen reader reads the rule and the error
// with the field.
import { h, uid } from './dom';

export interface Field<E extends HTMLElement = HTMLInputElement> {
  wrap: HTMLElement;
  input: E;
  /** Words that, in an API error message, say the error is about this field. */
  topics: string[];
  setError(message: string | null): void;
}

export interface FieldOptions {
  label: string;
  name: string;
  type?: 'text' | 'password' | 'email' | 'datetime-local';
  value?: string;
  hint?: string;
  autocomplete?: string;
  topics?: string[];
  maxlength?: number;
}

export function field(opts: FieldOptions): Field {
  const id = uid(opts.name);
  return labelled(opts, id, h('input', {
    id,
    name: opts.name,
    type: opts.type ?? 'text',
    value: opts.value ?? '',
    autocomplete: opts.autocomplete ?? 'off',
    spellcheck: 'false',
    maxlength: opts.maxlength,
    'aria-describedby': opts.hint ? `${id}-hint` : null,
  }));
}

/** A labelled <select> of value → text options. */
export function selectField(opts: { label: string; name: string; options: Record<string, string>; value?: string; hint?: string }): Field<HTMLSelectElement> {
  const id = uid(opts.name);
  const options = Object.entries(opts.options).map(([value, text]) => h('option', { value, selected: value === opts.value }, text));
  return labelled(opts, id, h('select', { id, name: opts.name, 'aria-describedby': opts.hint ? `${id}-hint` : null }, options));
}

/** A labelled <textarea>, for pasted JSON and the like. */
export function textareaField(opts: { label: string; name: string; hint?: string; rows?: number; topics?: string[] }): Field<HTMLTextAreaElement> {
  const id = uid(opts.name);
  return labelled(opts, id, h('textarea', { id, name: opts.name, rows: opts.rows ?? 6, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': opts.hint ? `${id}-hint` : null }));
}

function labelled<E extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(opts: { label: string; name: string; hint?: string; topics?: string[] }, id: string, input: E): Field<E> {
  const hintId = opts.hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
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
