import { GovernanceModule } from '@mreg/governance/feature';
import { MlflowGovernanceModule } from '@mreg/mlflow/feature';
import { READ_MODEL_PROJECTIONS } from '@mreg/audit/read-models';
import type { ServiceSpec } from '@mreg/platform/runtime';

/** Governance: transition requests, approvals (HTTP and Kafka commands), policies, MLflow's transition-stage; relays the governance streams. */
export const GOVERNANCE_SERVICE: ServiceSpec = {
  name: 'governance-service',
  modules: [GovernanceModule, MlflowGovernanceModule],
  relay: { name: 'governance-relay', contexts: ['governance'] },
  readModelProjections: READ_MODEL_PROJECTIONS,
};
