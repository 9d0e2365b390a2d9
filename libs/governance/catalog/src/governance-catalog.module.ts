import { Module } from '@nestjs/common';
import { PolicyLookup } from './policy-lookup';

/**
 * Provides the governance context's public read (`PolicyLookup`). Every feature module that needs it imports this
 * module, so a service gets it with the features it hosts (the event store comes from the platform module).
 */
@Module({
  providers: [PolicyLookup],
  exports: [PolicyLookup],
})
export class GovernanceCatalogModule {}
