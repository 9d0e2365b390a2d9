import { Inject, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { CatalogQueries, ensureReadModelIndexes, readModelProjections } from '@mreg/audit/read-models';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { CatalogController } from './catalog.controller';
import { DeletedModelsController } from './deleted-models.controller';
import { ModelByIdController } from './model-by-id.controller';
import { PointInTimeService } from './point-in-time.service';

/** Audit and queries: the projections that feed every read, history, provenance, point-in-time reads. */
@Module({
  imports: [RegistrationCatalogModule],
  controllers: [CatalogController, DeletedModelsController, ModelByIdController],
  providers: [CatalogQueries, PointInTimeService],
  exports: [CatalogQueries, PointInTimeService],
})
export class AuditModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  onModuleInit(): void {
    // Before the projections start: the indexes every list and lookup of the catalog reads through.
    this.runner.prepare(() => ensureReadModelIndexes(this.store));
    // The same list a replay applies (readModelProjections), so a rebuild means what the live models mean.
    for (const projection of readModelProjections(this.store)) this.runner.addProjection(projection);
  }
}
