import { Injectable } from '@nestjs/common';
import { TOPICS } from '@mreg/shared/contracts';
import type { ModelVersionCreated, RecordedEvent } from '@mreg/shared/contracts';
import { SYSTEM_PRINCIPAL } from '@mreg/platform/runtime';
import type { Reaction } from '@mreg/platform/runtime';
import { ArtifactService } from './artifact.service';
import { ArtifactTreeService } from './artifact-tree.service';

/**
 * A version registered from MLflow names the files it is made of (`artifactSource`, a path in the artifact
 * tree): they join its manifest by digest, once. Redelivery finds the import done and changes nothing.
 */
@Injectable()
export class ArtifactsImportReaction implements Reaction {
  readonly name = 'artifact.import-registered-files';
  readonly topics = [TOPICS.registrationEvents];

  constructor(
    private readonly artifacts: ArtifactService,
    private readonly tree: ArtifactTreeService,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (event.type !== 'ModelVersionCreated') return;
    const { modelId, version, artifactSource } = event.data as ModelVersionCreated['data'];
    if (artifactSource === undefined) return;
    const entries = await this.tree.filesAt(artifactSource);
    await this.artifacts.importFiles(modelId, version, artifactSource, entries, {
      principal: { user: event.metadata.actor, roles: SYSTEM_PRINCIPAL.roles },
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
    });
  }
}
