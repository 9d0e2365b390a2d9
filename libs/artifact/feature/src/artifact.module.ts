import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { ArtifactController } from './artifact.controller';
import { ArtifactService } from './artifact.service';
import { ArtifactTreeService } from './artifact-tree.service';
import { ArtifactsImportReaction } from './artifacts-import.reaction';

/** Artifacts: streamed, SHA-256 verified, content-addressed, sealed with the version; MLflow's artifact tree. */
@Module({
  imports: [RegistrationCatalogModule],
  controllers: [ArtifactController],
  providers: [ArtifactService, ArtifactTreeService, ArtifactsImportReaction],
  exports: [ArtifactService, ArtifactTreeService],
})
export class ArtifactModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly importReaction: ArtifactsImportReaction,
  ) {}

  onModuleInit(): void {
    this.runner.addReaction(this.importReaction);
  }
}
