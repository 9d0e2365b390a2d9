import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_DESCRIPTION_MAX, WEBHOOK_EVENT_TYPES, WEBHOOK_EVENT_TYPES_MAX, WEBHOOK_URL_MAX } from '@mreg/governance/domain';
import { GivenOnce, IsModelName, IsText, MODEL_NAME_SCHEMA, OptionalNotNull, textSchema } from '@mreg/platform/runtime';
import { PAGE_TOKEN_MAX, PAGE_TOKEN_PATTERN } from '@mreg/shared/query';

const URL_SCHEMA = {
  type: 'string',
  format: 'uri',
  maxLength: WEBHOOK_URL_MAX,
  pattern: '^[hH][tT][tT][pP][sS]?://[^\\s#@]+$',
  description:
    'Where deliveries are POSTed: https (plain http only to the loopback, where an admin allows it), no credentials, no fragment. An address in a private, loopback, link-local or metadata range, in any spelling, is refused (400) unless an admin allow-listed it; a name is resolved at each delivery and its addresses judged the same way.',
  example: 'https://deploy.example.com/hooks/mreg',
} as const;

const EVENT_TYPES_SCHEMA: ApiPropertyOptions = {
  type: 'array',
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES_MAX,
  uniqueItems: true,
  items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
  description: 'CloudEvents types of the public events to deliver, as on the Kafka topics (io.mreg.<context>.<Type>.v<n>; docs/api/asyncapi.yaml).',
  example: ['io.mreg.registration.ModelVersionStageChanged.v1'],
};

/** `POST /webhooks`: a subscription of the whole registry (admins) or of one model (its managers). */
export class CreateWebhookDto {
  @ApiProperty(URL_SCHEMA)
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX)
  url!: string;

  @ApiProperty(EVENT_TYPES_SCHEMA)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES_MAX)
  @ArrayUnique()
  @IsIn([...WEBHOOK_EVENT_TYPES], { each: true })
  eventTypes!: string[];

  @ApiPropertyOptional({ ...MODEL_NAME_SCHEMA, description: "A model's name: its events only (needs the manage permission on it). Without it, every model's events (admins only)." })
  @OptionalNotNull()
  @IsModelName()
  model?: string;

  @ApiPropertyOptional({ ...textSchema(WEBHOOK_DESCRIPTION_MAX), default: '' })
  @OptionalNotNull()
  @IsString()
  @IsText(WEBHOOK_DESCRIPTION_MAX)
  description?: string;

  @ApiPropertyOptional({ default: true, description: 'false: created disabled (nothing is delivered until enabled)' })
  @OptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

/** `PATCH /webhooks/{id}`: what it names changes; `enabled` disables or enables it again. */
export class UpdateWebhookDto {
  @ApiPropertyOptional(URL_SCHEMA)
  @OptionalNotNull()
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX)
  url?: string;

  @ApiPropertyOptional(EVENT_TYPES_SCHEMA)
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES_MAX)
  @ArrayUnique()
  @IsIn([...WEBHOOK_EVENT_TYPES], { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional(textSchema(WEBHOOK_DESCRIPTION_MAX))
  @OptionalNotNull()
  @IsString()
  @IsText(WEBHOOK_DESCRIPTION_MAX)
  description?: string;

  @ApiPropertyOptional({ description: 'false disables it (nothing is delivered, pending retries are dropped); true enables it again' })
  @OptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 50, description: '1..1000, default 50' })
  @IsOptional()
  @GivenOnce()
  pageSize?: string;

  @ApiPropertyOptional({ description: 'The nextPageToken of the previous page, as given; any other token is refused with 400.', maxLength: PAGE_TOKEN_MAX, pattern: PAGE_TOKEN_PATTERN })
  @IsOptional()
  @GivenOnce()
  pageToken?: string;
}

/** `GET /webhooks`: the registry-wide subscriptions (admins), or one model's (its managers). */
export class WebhookListQuery extends PageQuery {
  @ApiPropertyOptional({ ...MODEL_NAME_SCHEMA, description: "A model's name: its subscriptions (needs the manage permission on it). Without it, the registry-wide ones (admins only)." })
  @IsOptional()
  @GivenOnce()
  @IsModelName()
  model?: string;
}

/** `GET /webhooks/{id}/deliveries`: the newest first. */
export class DeliveryListQuery extends PageQuery {}
