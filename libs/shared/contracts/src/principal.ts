import type { Role } from './events';

/** Who acts: an authenticated user and the roles the token grants (docs/design.md §6). */
export interface Principal {
  readonly user: string;
  readonly roles: readonly Role[];
}
