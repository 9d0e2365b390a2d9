import type { Role } from './events';

/** Who acts: an authenticated user and the roles the token grants (ARCHITECTURE.md §6). */
export interface Principal {
  readonly user: string;
  readonly roles: readonly Role[];
}
