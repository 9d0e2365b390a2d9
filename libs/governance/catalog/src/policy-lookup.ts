import { Inject, Injectable } from '@nestjs/common';
import { fold, streams } from '@mreg/shared/contracts';
import type { AliasProtection, PolicyEvent, RecordedEvent } from '@mreg/shared/contracts';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { approvalPolicyDecider, protectionOf } from '@mreg/governance/domain';
import type { PolicyInForce } from '@mreg/governance/domain';

/**
 * The registry-wide default policy is kept as the policy of this pseudo-model id (stream `policy-default`):
 * the same decider, events and history as a model's policy. Model ids are UUIDs, so it meets no model.
 */
export const REGISTRY_POLICY_ID = 'default';

/**
 * The governance context's public read: the approval policy in force for a model, for governance's own use cases
 * and for registration's aliases (which a policy may protect). Straight from the log, so a policy set a moment ago
 * is in force at once, in every process; folded with governance's own decider, so it means here what it means on
 * the write side.
 */
@Injectable()
export class PolicyLookup {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The policy in force for a model: its own once set, else the registry-wide default. */
  async inForce(modelId: string): Promise<PolicyInForce> {
    const own = await this.fold(modelId);
    return own.customized ? { policy: own.policy, protectedAliases: own.protectedAliases } : this.registryDefault();
  }

  /** The registry-wide default (MREG_DEFAULT_APPROVAL_POLICY or set through the API), else the built-in one. */
  async registryDefault(): Promise<PolicyInForce> {
    const { policy, protectedAliases } = await this.fold(REGISTRY_POLICY_ID);
    return { policy, protectedAliases };
  }

  /** How the policy in force protects `alias` of the model, or undefined when the alias is free. */
  async protectionOf(modelId: string, alias: string): Promise<AliasProtection | undefined> {
    return protectionOf(await this.inForce(modelId), alias);
  }

  private async fold(modelId: string) {
    const events = (await this.store.readStream(streams.policy(modelId))) as RecordedEvent<PolicyEvent>[];
    return fold(approvalPolicyDecider, events);
  }
}
