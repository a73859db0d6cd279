// Copy buttons. The Clipboard API needs a secure context (HTTPS or localhost); elsewhere the
// text is selected in its read-only field and copied with execCommand, or left selected for
// the person to copy. Either way the outcome is announced.
import { h } from './dom';
import { announce } from './live';

export async function copyText(text: string, source?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!source) return false;
    source.focus();
    source.select();
    return document.execCommand('copy');
  }
}

/** A "Copy" button for the value of a read-only field; `what` names it for screen readers. */
export function copyButton(what: string, source: HTMLInputElement): HTMLButtonElement {
  let timer: number | undefined;
  const button = h('button', { type: 'button', class: 'secondary copy', 'aria-label': `Copy ${what}` }, 'Copy');
  button.addEventListener('click', async () => {
    const ok = await copyText(source.value, source);
    announce(ok ? `Copied ${what}` : `Could not copy. The ${what} is selected: copy it with your keyboard.`);
    button.textContent = ok ? 'Copied' : 'Select and copy';
    window.clearTimeout(timer);
    timer = window.setTimeout(() => (button.textContent = 'Copy'), 2500);
  });
  return button;
}

/** A read-only field holding a value to copy, with its Copy button. */
export function copyableValue(label: string, value: string, id: string, what = label): HTMLElement {
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'mono', spellcheck: 'false', autocomplete: 'off' });
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'field copyable' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, input, copyButton(what, input)));
}
