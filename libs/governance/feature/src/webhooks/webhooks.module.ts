import { Inject, Module } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ProjectionRunner } from '@mreg/platform/runtime';
import { RegistrationCatalogModule } from '@mreg/registration/catalog';
import { WebhookController } from './webhook.controller';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookFanout } from './webhook-fanout.reaction';
import { WebhookSecrets, WebhookSettings } from './webhook-settings';
import { WebhookSubscriptions } from './webhook-subscriptions';
import { WebhookSubscriptionsProjection } from './webhook-subscriptions.projection';

/**
 * Webhooks (decision 34), where governance runs: the subscriptions (API and read model), the fan-out of public
 * events into deliveries (a reaction, so one replica per event with Kafka), and the dispatcher that sends them on
 * the replica holding its lease.
 */
@Module({
  imports: [RegistrationCatalogModule],
  controllers: [WebhookController],
  providers: [WebhookSettings, WebhookSecrets, WebhookDeliveries, WebhookDispatcher, WebhookFanout, WebhookSubscriptions],
})
export class WebhooksModule implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly fanout: WebhookFanout,
    private readonly deliveries: WebhookDeliveries,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  onModuleInit(): void {
    this.runner.prepare(() => this.deliveries.ensureIndexes());
    this.runner.addProjection(new WebhookSubscriptionsProjection(this.store));
    this.runner.addReaction(this.fanout);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
  }
}
