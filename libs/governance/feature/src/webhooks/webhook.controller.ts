import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@mreg/shared/contracts';
import { ApiErrorResponses, ApiWritePendingResponse, Caller, Consistency, Reader, Roles, currentWrites, readAfterWrite } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { CreateWebhookDto, DeliveryListQuery, UpdateWebhookDto, WebhookListQuery } from './dto/webhook.dto';
import { DeliveryPage, DeliveryResponse, WebhookPage, WebhookResponse, WebhookWithSecretResponse } from './dto/webhook.response';
import type { WebhookDeliveryDoc } from './webhook-deliveries';
import { WebhookSubscriptions } from './webhook-subscriptions';
import type { WebhookSubscriptionDoc } from './webhook-subscriptions.projection';

const ID_PARAM = { name: 'id', description: 'Webhook subscription id', schema: { type: 'string', format: 'uuid' } } as const;
const DELIVERY_PARAM = { name: 'deliveryId', description: 'Delivery id (its webhook-id)', schema: { type: 'string', pattern: '^msg_[A-Za-z0-9_-]{1,64}$' } } as const;

/**
 * Webhooks (decision 34): the registry's public events POSTed to a URL, signed by the Standard Webhooks scheme,
 * retried with backoff for up to a day. Registry-wide subscriptions are an admin's; a model's are its managers'.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhookController {
  constructor(
    private readonly subscriptions: WebhookSubscriptions,
    private readonly consistency: Consistency,
    private readonly lookup: ModelLookup,
  ) {}

  @Post()
  @Roles('contributor')
  @ApiOperation({ summary: "Subscribe a URL to the registry's events (admins) or a model's (its managers); the answer holds the signing secret, shown only here and on rotation" })
  @ApiCreatedResponse({ description: 'The subscription and its signing secret', type: WebhookWithSecretResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async create(@Body() body: CreateWebhookDto, @Caller() ctx: CommandContext): Promise<WebhookWithSecretResponse> {
    const id = await this.subscriptions.create(body, ctx);
    return { ...(await this.settled(id)), secret: await this.subscriptions.currentSecret(id) };
  }

  @Get()
  @Roles('contributor')
  @ApiOperation({ summary: "List the registry-wide subscriptions (admins) or a model's (?model=, its managers)" })
  @ApiOkResponse({ description: 'One page of subscriptions, the oldest first', type: WebhookPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async list(@Query() query: WebhookListQuery, @Reader() principal: Principal): Promise<WebhookPage> {
    const page = await this.subscriptions.list(query.model, principal, query);
    return { items: await Promise.all(page.items.map((doc) => this.render(doc))), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @Roles('contributor')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Get a webhook subscription' })
  @ApiOkResponse({ description: 'The subscription', type: WebhookResponse })
  @ApiErrorResponses(401, 403, 404)
  async get(@Param('id') id: string, @Reader() principal: Principal): Promise<WebhookResponse> {
    return this.render(await this.subscriptions.get(id, principal));
  }

  @Patch(':id')
  @Roles('contributor')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: "Change a subscription's URL, event types or description, or disable or enable it" })
  @ApiOkResponse({ description: 'The subscription as it is now', type: WebhookResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async update(@Param('id') id: string, @Body() body: UpdateWebhookDto, @Caller() ctx: CommandContext): Promise<WebhookResponse> {
    await this.subscriptions.change(id, body, ctx);
    return this.settled(id);
  }

  @Delete(':id')
  @Roles('contributor')
  @HttpCode(204)
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Delete a subscription: nothing more is delivered, pending retries are dropped' })
  @ApiNoContentResponse({ description: 'The subscription is deleted' })
  @ApiErrorResponses(401, 403, 404, 409)
  async remove(@Param('id') id: string, @Caller() ctx: CommandContext): Promise<void> {
    await this.subscriptions.remove(id, ctx);
    await this.consistency.waitFor(currentWrites());
  }

  @Post(':id/rotate-secret')
  @Roles('contributor')
  @HttpCode(200)
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Replace the signing secret: deliveries carry signatures of the new and the previous secret for a day' })
  @ApiOkResponse({ description: 'The subscription and its new secret', type: WebhookWithSecretResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async rotateSecret(@Param('id') id: string, @Caller() ctx: CommandContext): Promise<WebhookWithSecretResponse> {
    await this.subscriptions.rotateSecret(id, ctx);
    return { ...(await this.settled(id)), secret: await this.subscriptions.currentSecret(id) };
  }

  @Post(':id/ping')
  @Roles('contributor')
  @HttpCode(202)
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Send a test delivery (io.mreg.governance.WebhookPing.v1), signed, logged and retried like any other' })
  @ApiAcceptedResponse({ description: 'The delivery, queued', type: DeliveryResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async ping(@Param('id') id: string, @Caller() ctx: CommandContext): Promise<DeliveryResponse> {
    return deliveryResource(await this.subscriptions.ping(id, ctx));
  }

  @Get(':id/deliveries')
  @Roles('contributor')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: "A subscription's delivery log: each message, its status and its latest attempts, the newest first" })
  @ApiOkResponse({ description: 'One page of deliveries', type: DeliveryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async deliveries(@Param('id') id: string, @Query() query: DeliveryListQuery, @Reader() principal: Principal): Promise<DeliveryPage> {
    const page = await this.subscriptions.deliveriesOf(id, principal, query);
    return { items: page.items.map(deliveryResource), nextPageToken: page.nextPageToken };
  }

  @Get(':id/deliveries/:deliveryId')
  @Roles('contributor')
  @ApiParam(ID_PARAM)
  @ApiParam(DELIVERY_PARAM)
  @ApiOperation({ summary: 'One delivery and its latest attempts' })
  @ApiOkResponse({ description: 'The delivery', type: DeliveryResponse })
  @ApiErrorResponses(401, 403, 404)
  async delivery(@Param('id') id: string, @Param('deliveryId') deliveryId: string, @Reader() principal: Principal): Promise<DeliveryResponse> {
    return deliveryResource(await this.subscriptions.delivery(id, deliveryId, principal));
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @Roles('contributor')
  @HttpCode(202)
  @ApiParam(ID_PARAM)
  @ApiParam(DELIVERY_PARAM)
  @ApiOperation({ summary: 'Send a delivery again (a new series of attempts, the same webhook-id and payload)' })
  @ApiAcceptedResponse({ description: 'The delivery, queued', type: DeliveryResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async redeliver(@Param('id') id: string, @Param('deliveryId') deliveryId: string, @Caller() ctx: CommandContext): Promise<DeliveryResponse> {
    return deliveryResource(await this.subscriptions.redeliver(id, deliveryId, ctx));
  }

  private async settled(id: string): Promise<WebhookResponse> {
    await this.consistency.waitFor(currentWrites());
    return this.render(await readAfterWrite(() => this.subscriptions.document(id), { id }));
  }

  private async render(doc: WebhookSubscriptionDoc): Promise<WebhookResponse> {
    const { state } = doc;
    const modelId = state.scopeModelId ?? null;
    return {
      id: doc.id,
      model: modelId === null ? null : (await this.lookup.model(modelId)).name,
      modelId,
      url: state.url,
      eventTypes: [...state.eventTypes],
      description: state.description,
      enabled: state.enabled,
      disabled: state.disabled ?? null,
      secretGeneration: state.secretGeneration,
      previousSecretExpiresAt: state.previousSecretGeneration !== undefined && state.previousSecretExpiresAt !== undefined && Date.parse(state.previousSecretExpiresAt) > Date.now() ? state.previousSecretExpiresAt : null,
      createdAt: doc.createdAt,
      createdBy: doc.createdBy,
      updatedAt: doc.updatedAt,
    };
  }
}

export function deliveryResource(doc: WebhookDeliveryDoc): DeliveryResponse {
  return {
    id: doc.id,
    subscriptionId: doc.subscriptionId,
    eventId: doc.eventId ?? null,
    eventType: doc.eventType,
    createdAt: doc.createdAt,
    status: doc.status,
    attempts: doc.attempts,
    nextAttemptAt: doc.status === 'pending' ? doc.nextAttemptAt : null,
    reason: doc.reason ?? null,
    recentAttempts: doc.recentAttempts.map((a) => ({ number: a.number, at: a.at, latencyMs: a.latencyMs, statusCode: a.statusCode ?? null, error: a.error ?? null, responseExcerpt: a.responseExcerpt ?? null, address: a.address ?? null })),
  };
}
