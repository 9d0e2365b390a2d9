import { ArtifactModule } from '@mreg/artifact/feature';
import { AuditModule } from '@mreg/audit/feature';
import { GovernanceModule } from '@mreg/governance/feature';
import { RegistrationModule } from '@mreg/registration/feature';
import { MlflowArtifactsModule, MlflowGovernanceModule, MlflowRegistrationModule, MlflowRegistryReadsModule, MlflowTrackingModule } from '@mreg/mlflow/feature';
import { join } from 'node:path';
import { createService, startService } from '@mreg/platform/runtime';
import type { MregConfig, PlatformAdapters, ServiceSpec, StartedService } from '@mreg/platform/runtime';

/** The web console's build (apps/console/dist), beside this app's src/ and dist/ alike. */
export const CONSOLE_DIR = join(__dirname, '..', '..', 'console', 'dist');

/**
 * The whole registry in one process: the four contexts, MLflow's API over them, one relay, the projections, one
 * HTTP port, and the web console at `/`.
 */
export const ALL_IN_ONE: ServiceSpec = {
  name: 'all-in-one',
  consoleDir: CONSOLE_DIR,
  modules: [RegistrationModule, GovernanceModule, ArtifactModule, AuditModule, MlflowRegistrationModule, MlflowRegistryReadsModule, MlflowGovernanceModule, MlflowTrackingModule, MlflowArtifactsModule],
};

export type StartedRegistry = StartedService;

export function createRegistry(config: MregConfig, adapters?: Partial<PlatformAdapters>) {
  return createService(ALL_IN_ONE, config, adapters);
}

export function startRegistry(config: MregConfig, adapters?: Partial<PlatformAdapters>): Promise<StartedRegistry> {
  return startService(ALL_IN_ONE, config, adapters);
}
