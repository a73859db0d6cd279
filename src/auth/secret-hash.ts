// How a generated secret is stored: never the secret itself.
import { bcryptHash } from './bcrypt-lane.js';

export const hashSecret = (secret: string, cost: number) => bcryptHash(secret, cost);
