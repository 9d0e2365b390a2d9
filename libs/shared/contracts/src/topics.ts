/** Public, versioned Kafka topics (ARCHITECTURE.md §5). */
export const TOPICS = {
  registrationEvents: 'mreg.registration.events.v1',
  governanceEvents: 'mreg.governance.events.v1',
  artifactEvents: 'mreg.artifact.events.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
