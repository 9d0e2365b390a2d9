import { SetMetadata } from '@nestjs/common';
import type { Role } from '@mreg/shared/contracts';

export const ROLES_KEY = 'mreg:roles';
export const PUBLIC_KEY = 'mreg:public';

/** The roles that may call a route (any of them; admin always may). Lint requires it on every route. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route open without a token (health, API docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
