// The table is shared with governance, so it lives in contracts; registration re-exports it under its own names.
import { ALLOWED_STAGE_TRANSITIONS, artifactsSealedIn, canTransition } from '@mreg/shared/contracts';

export { canTransition, artifactsSealedIn };
export const allowedTransitions = ALLOWED_STAGE_TRANSITIONS;
