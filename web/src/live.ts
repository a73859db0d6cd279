// Announcements for screen readers. A modal dialog makes the rest of the page inert, so
// while one is open the announcement goes to the live region inside it.
export function announce(message: string): void {
  const region = document.querySelector<HTMLElement>('dialog[open] .live') ?? document.getElementById('live');
  if (!region) return;
  region.textContent = '';
  // A change after a tick is announced even when the same words repeat.
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}
