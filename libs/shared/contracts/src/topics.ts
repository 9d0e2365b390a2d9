import { streamCategory } from './streams';

/** Public, versioned Kafka topics (ARCHITECTURE.md §5). */
export const TOPICS = {
  registrationEvents: 'mreg.registration.events.v1',
  governanceEvents: 'mreg.governance.events.v1',
  artifactEvents: 'mreg.artifact.events.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Every stream's events go to its owning context's topic, keyed by stream id (ordering per aggregate). */
export function topicForStream(streamId: string): Topic | undefined {
  switch (streamCategory(streamId)) {
    case 'model-name':
    case 'model':
    case 'version':
      return TOPICS.registrationEvents;
    case 'artifacts':
      return TOPICS.artifactEvents;
    case 'policy':
    case 'transition':
    case 'version-transitions':
      return TOPICS.governanceEvents;
    case undefined:
      return undefined;
  }
}

export const ALL_EVENT_TOPICS: readonly Topic[] = Object.values(TOPICS);

/** CloudEvents 1.0 attributes (binary mode, `ce_` headers) for a published event. */
export function cloudEventHeaders(event: {
  streamId: string;
  type: string;
  metadata: { eventId: string; occurredAt: string; schemaVersion: number; traceparent?: string };
}): Record<string, string> {
  const topic = topicForStream(event.streamId) ?? 'mreg.unknown';
  const context = topic.split('.')[1] ?? 'unknown';
  return {
    ce_specversion: '1.0',
    ce_id: event.metadata.eventId,
    ce_source: `/mreg/${context}`,
    ce_type: `io.mreg.${context}.${event.type}.v${event.metadata.schemaVersion}`,
    ce_subject: event.streamId,
    ce_time: event.metadata.occurredAt,
    'content-type': 'application/json',
    ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
  };
}
