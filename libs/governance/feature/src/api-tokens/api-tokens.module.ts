import { Inject, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { ApiTokenController } from './api-token.controller';
import { ApiTokenInventoryProjection } from './api-token-inventory.projection';
import { ApiTokens } from './api-tokens';

/**
 * API tokens for machines (decision 33): the routes and the inventory read model. Every service authenticates the
 * tokens from the log itself (platform runtime); this module only issues, lists and revokes them.
 */
@Module({
  imports: [RegistrationCatalogModule],
  controllers: [ApiTokenController],
  providers: [ApiTokens],
})
export class ApiTokensModule implements OnModuleInit {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  onModuleInit(): void {
    this.runner.addProjection(new ApiTokenInventoryProjection(this.store));
  }
}
