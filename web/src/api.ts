// fetch for the console API: JSON in and out, the CSRF token on every state-changing call,
// and the API's error message carried to the page in an ApiFailure.
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onSignedOut: (failure: ApiFailure) => void = () => {};

export const setCsrfToken = (token: string): void => {
  csrfToken = token;
};

/** Called when a call answers 401: the session ended (expired, or signed out elsewhere). */
export const whenSignedOut = (fn: (failure: ApiFailure) => void): void => {
  onSignedOut = fn;
};

function fallbackMessage(status: number): string {
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'Keymint does not know this (it may have been deleted). Reload the page.';
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status >= 500) return 'Keymint could not do this just now. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}

interface ErrorBody {
  error?: { message?: string; status?: string };
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, 'Keymint could not be reached. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => undefined);
  if (res.ok) return data as T;
  const error = (data as ErrorBody | undefined)?.error;
  const failure = new ApiFailure(res.status, error?.message || fallbackMessage(res.status), error?.status);
  if (res.status === 401 && path !== '/api/session') onSignedOut(failure);
  throw failure;
}
