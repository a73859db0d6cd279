// Modal dialogs on <dialog>.showModal(): the page behind is inert, focus starts in the
// dialog and Escape closes it; on close, focus returns to what opened it. A form's submit
// runs onSubmit; an API error is shown next to the field it names, or above the buttons.
import { ApiFailure } from './api';
import { h, uid, type Child } from './dom';
import type { Field } from './field';
import { announce } from './live';

export interface ModalOptions {
  title: string;
  content?: Child;
  fields?: Field<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>[];
  submitLabel: string;
  busyLabel?: string;
  /** null: no cancel button (a confirmation closed with its one button). */
  cancelLabel?: string | null;
  /** Destructive: the confirm button is red and focus starts on Cancel. */
  danger?: boolean;
  /** Runs on submit; the dialog closes when it resolves (unless keepOpen). */
  onSubmit?: () => Promise<void> | void;
  /** The dialog stays open after a successful submit (one that adds to a list it shows). */
  keepOpen?: boolean;
  onClose?: () => void;
  /** Where focus goes on close when the opener is gone or disabled (a row re-rendered, a list emptied). */
  returnFocus?: () => HTMLElement | null | undefined;
}

export interface Modal {
  dialog: HTMLDialogElement;
  close(): void;
}

function fieldFor<F extends Field<HTMLElement>>(fields: F[], message: string): F | undefined {
  const text = message.toLowerCase();
  return fields.find((f) => f.topics.some((topic) => text.includes(topic)));
}

export function openModal(opts: ModalOptions): Modal {
  const opener = document.activeElement as HTMLElement | null;
  const titleId = uid('modal-title');
  const fields = opts.fields ?? [];
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, opts.submitLabel);
  const cancel = opts.cancelLabel === null ? null : h('button', { type: 'button', class: 'secondary' }, opts.cancelLabel ?? 'Cancel');
  const form = h(
    'form',
    { novalidate: true },
    h('h2', { id: titleId }, opts.title),
    opts.content,
    fields.map((f) => f.wrap),
    formError,
    h('div', { class: 'actions' }, cancel, submit),
  );
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'modal' }, form, h('div', { class: 'live visually-hidden', 'aria-live': 'polite' }));
  const close = () => dialog.open && dialog.close();
  cancel?.addEventListener('click', close);
  dialog.addEventListener('close', () => {
    dialog.remove();
    const usable = (el: HTMLElement | null | undefined) => el?.isConnected && !(el as HTMLButtonElement).disabled;
    const target = usable(opener) ? opener : opts.returnFocus?.();
    if (usable(target)) target!.focus();
    opts.onClose?.();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    fields.forEach((f) => f.setError(null));
    formError.textContent = '';
    submit.disabled = true;
    submit.textContent = opts.busyLabel ?? opts.submitLabel;
    form.setAttribute('aria-busy', 'true');
    try {
      await opts.onSubmit?.();
      if (!opts.keepOpen) close();
    } catch (err) {
      const message = err instanceof ApiFailure ? err.message : 'Something went wrong. Try again.';
      const target = fieldFor(fields, message);
      if (target) {
        target.setError(message);
        target.input.focus();
        announce(message);
      } else {
        formError.textContent = message;
      }
    } finally {
      submit.disabled = false;
      submit.textContent = opts.submitLabel;
      form.removeAttribute('aria-busy');
    }
  });

  document.body.append(dialog);
  dialog.showModal();
  (fields[0]?.input ?? (opts.danger ? cancel : null) ?? submit).focus();
  return { dialog, close };
}
