// The table is shared with governance, so it lives in contracts; registration re-exports its rules.
import { artifactsSealedIn, canTransition } from '@mreg/shared/contracts';

export { canTransition, artifactsSealedIn };
