// A version's or model's history as a timeline people read: who did what, when, in the registry's words.

export interface HistoryEvent {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly actor: string;
  readonly version: number | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export type TimelineKind = 'registered' | 'stage' | 'request' | 'decision' | 'artifact' | 'change' | 'access' | 'other';

export interface TimelineItem {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly kind: TimelineKind;
  readonly text: string;
  readonly comment?: string;
  readonly type: string;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const v = (event: HistoryEvent) => (event.version !== null ? `version ${event.version}` : `version ${str(event.data['version'])}`);

/** One history entry in words; unknown types keep their name, so nothing the API returns is hidden. */
export function describe(event: HistoryEvent): Omit<TimelineItem, 'id' | 'at' | 'actor' | 'type'> {
  const d = event.data;
  const comment = str(d['comment']);
  const withComment = <T extends object>(item: T) => (comment ? { ...item, comment } : item);
  switch (event.type) {
    case 'ModelRegistered':
      return { kind: 'registered', text: `registered the model ${str(d['name'])}` };
    case 'ModelVersionCreated':
      return { kind: 'registered', text: `registered ${v(event)}` };
    case 'ModelRenamed':
      return { kind: 'change', text: `renamed the model from ${str(d['from'])} to ${str(d['to'])}` };
    case 'ModelDescriptionChanged':
    case 'ModelVersionDescriptionChanged':
      return { kind: 'change', text: event.type === 'ModelDescriptionChanged' ? 'changed the description' : `changed the description of ${v(event)}` };
    case 'ModelTagSet':
    case 'ModelVersionTagSet':
      return { kind: 'change', text: `set tag ${str(d['key'])} = ${str(d['value'])}${event.type === 'ModelVersionTagSet' ? ` on ${v(event)}` : ''}` };
    case 'ModelTagRemoved':
    case 'ModelVersionTagRemoved':
      return { kind: 'change', text: `removed tag ${str(d['key'])}${event.type === 'ModelVersionTagRemoved' ? ` from ${v(event)}` : ''}` };
    case 'AliasAssigned':
      return { kind: 'change', text: `pointed alias @${str(d['alias'])} at version ${str(d['version'])}` };
    case 'AliasRemoved':
      return { kind: 'change', text: `removed alias @${str(d['alias'])}` };
    case 'ModelVersionStageChanged':
      return { kind: 'stage', text: `${v(event)} moved from ${str(d['from'])} to ${str(d['to'])}${d['reason'] === 'archived-existing' ? ' (replaced by a new production version)' : ''}` };
    case 'ModelVersionStageChangeRefused':
      return { kind: 'stage', text: `the stage change of ${v(event)} was refused: ${str(d['reason'])}` };
    case 'TransitionRequested':
      return withComment({ kind: 'request', text: `requested ${v(event)} to move from ${str(d['fromStage'])} to ${str(d['toStage'])}` });
    case 'TransitionApprovalGiven':
      return withComment({ kind: 'decision', text: `approved the move of ${v(event)}` });
    case 'TransitionApproved':
      return { kind: 'decision', text: `the move of ${v(event)} to ${str(d['toStage'])} was approved` };
    case 'TransitionRejected':
      return withComment({ kind: 'decision', text: `rejected the move of ${v(event)}` });
    case 'TransitionCancelled':
      return withComment({ kind: 'decision', text: `cancelled the request for ${v(event)}` });
    case 'TransitionApplied':
      return { kind: 'stage', text: `${v(event)} is now ${str(d['toStage'])}` };
    case 'TransitionFailed':
      return { kind: 'stage', text: `the move of ${v(event)} failed: ${str(d['reason'])}` };
    case 'ArtifactAdded':
      return { kind: 'artifact', text: `uploaded ${str(d['path'])} to ${v(event)}` };
    case 'ArtifactsImported':
      return { kind: 'artifact', text: `imported artifacts into ${v(event)}` };
    case 'ModelAccessGranted':
      return { kind: 'access', text: `gave ${str(d['subject'])} ${str(d['permission'])} access` };
    case 'ModelAccessRevoked':
      return { kind: 'access', text: `took access from ${str(d['subject'])}` };
    case 'ModelVisibilityChanged':
      return { kind: 'access', text: `made the model ${str(d['visibility'])}` };
    case 'ModelDeleted':
      return { kind: 'change', text: 'deleted the model' };
    case 'ModelRestored':
      return { kind: 'change', text: 'restored the model' };
    case 'ModelVersionDeleted':
      return { kind: 'change', text: `deleted ${v(event)}` };
    default:
      return { kind: 'other', text: event.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() };
  }
}

/** Entries as timeline items, newest first (the API's order may be either). */
export function timeline(events: readonly HistoryEvent[]): TimelineItem[] {
  return [...events].sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0)).map((event) => ({ id: event.eventId, at: event.occurredAt, actor: event.actor, type: event.type, ...describe(event) }));
}

/** The distinct actors and event types of some entries: the audit page's filter choices. */
export function facets(events: readonly HistoryEvent[]): { actors: string[]; types: string[] } {
  return { actors: [...new Set(events.map((e) => e.actor))].sort(), types: [...new Set(events.map((e) => e.type))].sort() };
}
