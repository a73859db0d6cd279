// Unique violations of the credential table, as the 409 a person can act on; a credential
// for a project deleted meanwhile (its foreign key), as the 404 it is.
import { ApiError } from '../kernel/api-error.js';

/** `field` when only one can clash; else read from the constraint (a legacy row can break both). */
export function duplicateOf(err: unknown, field?: 'label' | 'username'): ApiError | undefined {
  const { code, constraint } = err as { code?: string; constraint?: string };
  if (code === '23503') return ApiError.notFound('The project was deleted meanwhile: nothing was created.');
  if (code !== '23505') return undefined;
  // A legacy row's display_name is its username: either constraint means the username.
  if (field === 'username' || constraint === 'access_keys_username_unique') {
    return ApiError.alreadyExists('That username is already taken. Choose another username.');
  }
  if (constraint === 'access_keys_display_name_unique') {
    return ApiError.alreadyExists('A credential of this kind with that label already exists in this project. Choose another label.');
  }
  return undefined;
}
