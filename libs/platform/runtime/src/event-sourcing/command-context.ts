import type { Principal } from '@mreg/shared/contracts';

/** Who and why: travels from the entry point (HTTP, Kafka) into every event's metadata. */
export interface CommandContext {
  readonly principal: Principal;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

/** The identity reactions act under: the event that caused them stays the causation. */
export const SYSTEM_PRINCIPAL: Principal = { user: 'system:mreg', roles: ['admin'] };
