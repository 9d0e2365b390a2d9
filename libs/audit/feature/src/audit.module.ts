import { Inject, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { AuditTrailProjection, CatalogQueries, ModelDetailsProjection, TransitionInboxProjection, VersionDetailsProjection } from '@mreg/audit/read-models';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { CatalogController } from './catalog.controller';
import { PointInTimeService } from './point-in-time.service';

/** Audit and queries: the projections that feed every read, history, provenance, point-in-time reads. */
@Module({
  controllers: [CatalogController],
  providers: [CatalogQueries, PointInTimeService],
  exports: [CatalogQueries, PointInTimeService],
})
export class AuditModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  onModuleInit(): void {
    this.runner.addProjection(new ModelDetailsProjection(this.store));
    this.runner.addProjection(new VersionDetailsProjection(this.store));
    this.runner.addProjection(new TransitionInboxProjection(this.store));
    this.runner.addProjection(new AuditTrailProjection(this.store));
  }
}
