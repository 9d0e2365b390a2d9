import { streamContext, type OwningContext } from './streams';

/** Public, versioned Kafka topics (docs/design.md §5). */
export const TOPICS = {
  registrationEvents: 'mreg.registration.events.v1',
  governanceEvents: 'mreg.governance.events.v1',
  artifactEvents: 'mreg.artifact.events.v1',
  trackingEvents: 'mreg.tracking.events.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** The topic of each context's events. */
export const EVENT_TOPICS: Readonly<Record<OwningContext, Topic>> = {
  registration: TOPICS.registrationEvents,
  governance: TOPICS.governanceEvents,
  artifact: TOPICS.artifactEvents,
  tracking: TOPICS.trackingEvents,
};

/** Every stream's events go to its owning context's topic, keyed by stream id (ordering per aggregate). */
export function topicForStream(streamId: string): Topic | undefined {
  const context = streamContext(streamId);
  return context === undefined ? undefined : EVENT_TOPICS[context];
}

export const ALL_EVENT_TOPICS: readonly Topic[] = Object.values(TOPICS);

/**
 * Integration topics (docs/design.md §5): traffic from outside the registry — training pipelines' events,
 * governance tooling's commands, CloudEvents authenticated with a bearer token header — and the registry's
 * answers to messages it refused. Raw messages (not recorded events), so they are not among {@link TOPICS}.
 */
export const INBOUND_TOPICS = {
  /** `TrainingRunCompletedV1` in, from training pipelines. */
  trainingEvents: 'mreg.training.events.v1',
  /** `MessageRejectedV1` out: a training event that changed nothing, and why. */
  trainingRejections: 'mreg.training.rejections.v1',
  /** `ApprovalCommandV1` in, from governance tooling. */
  governanceCommands: 'mreg.governance.commands.v1',
  /** `MessageRejectedV1` out: an approval command that changed nothing, and why. */
  governanceCommandRejections: 'mreg.governance.command-rejections.v1',
} as const;

export type InboundTopic = (typeof INBOUND_TOPICS)[keyof typeof INBOUND_TOPICS];

export const ALL_INBOUND_TOPICS: readonly InboundTopic[] = Object.values(INBOUND_TOPICS);
