import type { Stage } from './events';

// Shared by registration (applies stage changes) and governance (accepts requests for them); contexts meet
// only through contracts, so the table lives here rather than in either domain.

/** development → staging | production | archived; staging → production | development | archived;
 * production → staging | archived; archived → development. Never to the same stage. */
export const ALLOWED_STAGE_TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  development: ['staging', 'production', 'archived'],
  staging: ['production', 'development', 'archived'],
  production: ['staging', 'archived'],
  archived: ['development'],
};

export function canTransition(from: Stage, to: Stage): boolean {
  return ALLOWED_STAGE_TRANSITIONS[from].includes(to);
}

/** A version's artifacts may change only while it is in development. */
export function artifactsSealedIn(stage: Stage): boolean {
  return stage !== 'development';
}
