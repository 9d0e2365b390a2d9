import { Module } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import { GovernanceModule } from '@mreg/governance/feature';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { RegistrationModule } from '@mreg/registration/feature';
import { TrackingModule, TrackingQueries } from '@mreg/tracking/feature';
import { MlflowRegistryReadsController } from './registry-reads.controller';
import { MlflowRegistryViews } from './registry-views';
import { MlflowRegistryWritesController } from './registry-writes.controller';
import { MlflowTransitionController } from './transition-stage.controller';
import { REGISTRATION_SOURCES } from './registration-sources';

// One module per service that answers part of MLflow's registry API, so each process of the production
// topology serves what it owns (the gateway routes to it) and the all-in-one server serves all of them.

/** Registry writes: registration's use cases, sources resolved by tracking (registration service). */
@Module({
  imports: [RegistrationCatalogModule, RegistrationModule, TrackingModule],
  controllers: [MlflowRegistryWritesController],
  providers: [MlflowRegistryViews, CatalogQueries, { provide: REGISTRATION_SOURCES, useExisting: TrackingQueries }],
})
export class MlflowRegistrationModule {}

/** Registry reads and searches: the read models (audit service). */
@Module({
  imports: [RegistrationCatalogModule],
  controllers: [MlflowRegistryReadsController],
  providers: [MlflowRegistryViews, CatalogQueries],
})
export class MlflowRegistryReadsModule {}

/** transition-stage: governance's transition requests (governance service). */
@Module({
  imports: [RegistrationCatalogModule, GovernanceModule],
  controllers: [MlflowTransitionController],
  providers: [MlflowRegistryViews, CatalogQueries],
})
export class MlflowGovernanceModule {}
