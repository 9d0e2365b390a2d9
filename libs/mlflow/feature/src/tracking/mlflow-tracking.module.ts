import { Module } from '@nestjs/common';
import { TrackingModule } from '@mreg/tracking/feature';
import { MlflowExperimentsController } from './experiments.controller';
import { MlflowLoggedModelsController } from './logged-models.controller';
import { MlflowRunsController } from './runs.controller';
import { MlflowServerInfoController } from './server-info.controller';

/** MLflow's tracking REST surface over the tracking context. */
@Module({
  imports: [TrackingModule],
  controllers: [MlflowExperimentsController, MlflowRunsController, MlflowLoggedModelsController, MlflowServerInfoController],
})
export class MlflowTrackingModule {}
