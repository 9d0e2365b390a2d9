import { Module } from '@nestjs/common';
import { ModelLookup } from './model-lookup';

/**
 * Provides the registration context's public read (`ModelLookup`). Every feature module that needs it imports
 * this module, so a service gets it with the features it hosts (the event store comes from the platform module).
 */
@Module({
  providers: [ModelLookup],
  exports: [ModelLookup],
})
export class RegistrationCatalogModule {}
