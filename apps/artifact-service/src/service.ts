import { ArtifactModule } from '@mreg/artifact/feature';
import { MlflowArtifactsModule } from '@mreg/mlflow/feature';
import { READ_MODEL_PROJECTIONS } from '@mreg/audit/read-models';
import type { ServiceSpec } from '@mreg/platform/runtime';

/** Artifacts: streamed uploads and downloads, manifests; relays the artifact streams. */
export const ARTIFACT_SERVICE: ServiceSpec = {
  name: 'artifact-service',
  modules: [ArtifactModule, MlflowArtifactsModule],
  relay: { name: 'artifact-relay', contexts: ['artifact'] },
  readModelProjections: READ_MODEL_PROJECTIONS,
};
