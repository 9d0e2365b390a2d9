import { AuditModule } from '@mreg/audit/feature';
import type { ServiceSpec } from '@mreg/platform/runtime';

/** Audit: runs every projection (read models, audit trail) and answers all queries, history, provenance. */
export const AUDIT_SERVICE: ServiceSpec = {
  name: 'audit-service',
  modules: [AuditModule],
  relay: false,
};
