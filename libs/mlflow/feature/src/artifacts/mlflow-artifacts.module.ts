import { Module } from '@nestjs/common';
import { ArtifactModule } from '@mreg/artifact/feature';
import { MlflowArtifactsController } from './mlflow-artifacts.controller';

/** MLflow's artifact proxy over the artifact context. */
@Module({
  imports: [ArtifactModule],
  controllers: [MlflowArtifactsController],
})
export class MlflowArtifactsModule {}
