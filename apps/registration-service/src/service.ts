import { RegistrationModule } from '@mreg/registration/feature';
import { MlflowRegistrationModule, MlflowTrackingModule } from '@mreg/mlflow/feature';
import { READ_MODEL_PROJECTIONS } from '@mreg/audit/read-models';
import type { ServiceSpec } from '@mreg/platform/runtime';

/** Registration: models, versions, tags, aliases, training-run intake; relays the registration streams. */
export const REGISTRATION_SERVICE: ServiceSpec = {
  name: 'registration-service',
  modules: [RegistrationModule, MlflowRegistrationModule, MlflowTrackingModule],
  // The registration service also hosts the tracking context (MLflow's experiments, runs, logged models).
  relay: { name: 'registration-relay', contexts: ['registration', 'tracking'] },
  readModelProjections: READ_MODEL_PROJECTIONS,
};
