import { Inject, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { TrackingCommands } from './tracking.commands';
import { TrackingQueries } from './tracking.queries';
import { TrackingIndexProjection } from './tracking-index.projection';

/** Tracking (MLflow's experiments, runs and logged models) as streams; its search index runs with it. */
@Module({
  providers: [TrackingCommands, TrackingQueries],
  exports: [TrackingCommands, TrackingQueries],
})
export class TrackingModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  onModuleInit(): void {
    this.runner.addProjection(new TrackingIndexProjection(this.store));
  }
}
