import type { RecordedEvent, TransitionEvent } from '@mreg/shared/contracts';
import { streamCategory, unknownEvent } from '@mreg/shared/contracts';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';
import { READ_MODEL_PROJECTIONS } from './projection-catalog';
import { COLLECTIONS } from './catalog.documents';
import type { TransitionDoc } from './catalog.documents';

/** Pure: a transition request document after one event of its stream. */
export function evolveTransitionDoc(doc: TransitionDoc | undefined, event: RecordedEvent): TransitionDoc | undefined {
  const e = { type: event.type, data: event.data } as TransitionEvent;
  const at = event.metadata.occurredAt;
  if (e.type === 'TransitionRequested') {
    const d = e.data;
    return {
      id: d.transitionId,
      transitionId: d.transitionId,
      modelId: d.modelId,
      modelName: d.modelName,
      version: d.version,
      fromStage: d.fromStage,
      toStage: d.toStage,
      status: 'pending',
      requestedBy: d.requestedBy,
      requestedAt: at,
      comment: d.comment,
      archiveExisting: d.archiveExisting,
      requiredApprovals: d.rule.requiredApprovals,
      approverRole: d.rule.approverRole,
      approvals: [],
      updatedAt: at,
    };
  }
  if (!doc) return undefined;
  switch (e.type) {
    case 'TransitionApprovalGiven':
      return { ...doc, approvals: [...doc.approvals, { by: e.data.by, at, comment: e.data.comment }], updatedAt: at };
    case 'TransitionApproved':
      return { ...doc, status: 'approved', decidedBy: e.data.approvers.at(-1) ?? event.metadata.actor, decidedAt: at, updatedAt: at };
    case 'TransitionRejected':
      return { ...doc, status: 'rejected', decidedBy: e.data.by, decidedAt: at, decisionComment: e.data.comment, updatedAt: at };
    case 'TransitionCancelled':
      return { ...doc, status: 'cancelled', decidedBy: e.data.by, decidedAt: at, decisionComment: e.data.comment, updatedAt: at };
    case 'TransitionApplied':
      return { ...doc, status: 'applied', appliedAt: at, updatedAt: at };
    case 'TransitionFailed':
      return { ...doc, status: 'failed', failureReason: e.data.reason, updatedAt: at };
    default:
      return unknownEvent(e, doc);
  }
}

/** Transition requests: the approvers' inbox and the requesters' outbox. */
export class TransitionInboxProjection implements Projection {
  readonly name = READ_MODEL_PROJECTIONS[2].name;
  readonly topics = READ_MODEL_PROJECTIONS[2].topics;

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (streamCategory(event.streamId) !== 'transition') return;
    const id = (event.data as { transitionId: string }).transitionId;
    // A decision on a request not projected yet fails (the bus delivers it again). Checked in the change itself,
    // so applying an event costs no read of its own (and a replay can queue it).
    await this.store.collection<TransitionDoc>(COLLECTIONS.transitions).apply(id, event.streamId, event.streamRevision, (doc) => {
      const next = evolveTransitionDoc(doc, event);
      if (!next) throw new Error(`transition ${id} not projected yet`);
      return next;
    });
  }
}
