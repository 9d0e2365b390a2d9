import { AuditModule } from '@mreg/audit/feature';
import { MlflowRegistryReadsModule } from '@mreg/mlflow/feature';
import type { ServiceSpec } from '@mreg/platform/runtime';

/** Audit: runs every projection (read models, audit trail) and answers all queries, history, provenance (MLflow's registry reads too). */
export const AUDIT_SERVICE: ServiceSpec = {
  name: 'audit-service',
  modules: [AuditModule, MlflowRegistryReadsModule],
  relay: false,
};
