import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { WEBHOOK_DISABLE_REASONS } from '@mreg/shared/contracts';
import { DELIVERY_STATUSES } from '../webhook-deliveries';
import type { DeliveryStatus } from '../webhook-deliveries';

export class WebhookDisabledResponse {
  @ApiProperty({ enum: WEBHOOK_DISABLE_REASONS, description: 'requested: by a manager; failing: by the registry, after a delivery failed every attempt with nothing delivered since' }) reason!: 'requested' | 'failing';
  @ApiProperty({ example: 'delivery msg_… failed 16 attempts since 2026-03-01T10:00:00.000Z with no successful delivery since' }) detail!: string;
}

/** A webhook subscription. Its secret is shown only when created and rotated. */
@ApiExtraModels(WebhookDisabledResponse)
export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, description: "The model's name for a per-model subscription; null for a registry-wide one", example: 'fraud-detector' }) model!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The model's id (stable across renames); null for a registry-wide one" }) modelId!: string | null;
  @ApiProperty({ example: 'https://deploy.example.com/hooks/mreg' }) url!: string;
  @ApiProperty({ type: [String], example: ['io.mreg.registration.ModelVersionStageChanged.v1'] }) eventTypes!: string[];
  @ApiProperty({ example: 'redeploy on stage changes' }) description!: string;
  @ApiProperty({ example: true }) enabled!: boolean;
  // One of the object or null (OpenAPI 3.1): `nullable` beside a reference would still demand the object.
  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(WebhookDisabledResponse) }, { type: 'null' }], description: 'Why it is disabled; null while enabled' }) disabled!: WebhookDisabledResponse | null;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Generation of the current signing secret (1, then one more per rotation)', example: 1 }) secretGeneration!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the previous secret still signs beside the current one; null when only one signs' }) previousSecretExpiresAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ example: 'alice' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** A subscription with its signing secret: the answer of a creation and of a rotation (the only times it is shown). */
export class WebhookWithSecretResponse extends WebhookResponse {
  @ApiProperty({ description: 'The Standard Webhooks secret (whsec_ and base64 of 32 bytes) deliveries are signed with; keep it, it is not shown again', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret!: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookResponse] }) items!: WebhookResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as pageToken for the next page; null on the last page', example: null }) nextPageToken!: string | null;
}

export class DeliveryAttemptResponse {
  @ApiProperty({ type: 'integer', minimum: 1 }) number!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'From the start of the attempt to its answer (or failure)' }) latencyMs!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: "The receiver's HTTP status; null when there was no answer", example: 200 }) statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why there was no answer (refused address, timeout, connection error)', example: null }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The start of the receiver's answer (at most 1,024 characters)" }) responseExcerpt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The address connected to' }) address!: string | null;
}

/** One message to one subscription: an event, or a ping. */
export class DeliveryResponse {
  @ApiProperty({ description: 'The webhook-id header of every attempt', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }) id!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ type: String, nullable: true, description: "The event's id (the CloudEvent's id); null for a ping" }) eventId!: string | null;
  @ApiProperty({ example: 'io.mreg.registration.ModelVersionStageChanged.v1' }) eventType!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: 'pending (an attempt is due or retried later), delivered (a 2xx), failed (given up), cancelled (the subscription was disabled or deleted)' }) status!: DeliveryStatus;
  @ApiProperty({ type: 'integer', minimum: 0 }) attempts!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due; null unless pending' }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why it failed or was cancelled' }) reason!: string | null;
  @ApiProperty({ type: [DeliveryAttemptResponse], description: 'The latest attempts (at most 20), oldest first' }) recentAttempts!: DeliveryAttemptResponse[];
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryResponse] }) items!: DeliveryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as pageToken for the next page; null on the last page', example: null }) nextPageToken!: string | null;
}
