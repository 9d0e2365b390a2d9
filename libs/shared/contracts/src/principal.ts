import type { Role } from './events';

/** Who acts: an authenticated user and the roles the token grants (docs/design.md §6). */
export interface Principal {
  readonly user: string;
  readonly roles: readonly Role[];
  /** The groups the identity names the user a member of (an OpenID claim, a token's entry): grants name them. */
  readonly groups?: readonly string[];
  /**
   * A credential limited to some models (an API token's scope): their ids. Absent: every model the user's grants
   * and roles allow; present: only those, and never a new model.
   */
  readonly models?: readonly string[];
}
