import { ALL_EVENT_TOPICS, TOPICS } from '@mreg/shared/contracts';

/**
 * The read models every write waits for (read-your-writes), by name and topics. Services that do not run the
 * projections themselves (distributed topology) wait on these names' progress in the shared read store.
 */
export const READ_MODEL_PROJECTIONS = [
  { name: 'model-details', topics: [TOPICS.registrationEvents] },
  { name: 'version-details', topics: [TOPICS.registrationEvents, TOPICS.artifactEvents] },
  { name: 'transition-inbox', topics: [TOPICS.governanceEvents] },
  { name: 'audit-trail', topics: ALL_EVENT_TOPICS },
] as const;
