import { createContext, useContext } from 'react';
import { createApi } from '../api/client';
import type { Api, Me, Role } from '../api/client';

// The token lives in sessionStorage only: it is gone when the tab closes, and signing out removes it.

const KEY = 'mreg.token';

export function storedToken(): string | undefined {
  try {
    return window.sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string): void {
  window.sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  window.sessionStorage.removeItem(KEY);
}

export interface Session {
  readonly api: Api;
  /** Who the token is: undefined while `GET /me` is on its way (pages load meanwhile; controls wait for it). */
  readonly me: Me | undefined;
  readonly signOut: () => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether the signed-in identity holds a role (implied roles included: an admin is also an approver). */
export function holds(me: Me, role: Role): boolean {
  return me.effectiveRoles.includes(role);
}

/**
 * What the registry-wide roles allow; a model's own grants can still narrow it (the API then says why). Nothing
 * until the identity is known.
 */
export function abilities(me: Me | undefined) {
  const contributor = me !== undefined && holds(me, 'contributor');
  const approver = me !== undefined && holds(me, 'approver');
  return {
    edit: contributor,
    requestTransition: contributor,
    decide: contributor || approver,
    cancel: contributor || approver,
  };
}

export { createApi };
