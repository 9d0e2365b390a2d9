import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiError, ApiErrorResponses, Caller, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ApiTokenListQuery } from './api-token-list.query';
import { ApiTokenPage, ApiTokenResponse, CreateApiTokenDto, CreatedApiTokenResponse } from './api-token.dto';
import type { ApiTokenDoc } from './api-token-inventory.projection';
import { ApiTokens } from './api-tokens';

const TOKEN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function tokenIdParam(raw: string): string {
  if (!TOKEN_ID.test(raw)) throw new ApiError('NOT_FOUND', `API token ${raw.slice(0, 64)} not found`);
  return raw;
}

/** An API token as the API shows it: its metadata, never its secret or the secret's digest. */
export function apiTokenResource(doc: ApiTokenDoc): ApiTokenResponse {
  return {
    id: doc.id,
    name: doc.name,
    owner: doc.owner,
    roles: [...doc.roles],
    models: doc.models === undefined ? null : [...doc.models],
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    expiresAt: doc.expiresAt,
    revoked: doc.revokedAt !== undefined,
    revokedAt: doc.revokedAt ?? null,
    revokedBy: doc.revokedBy ?? null,
  };
}

// Every role may hold tokens (reader is implied by every role): each caller manages their own, admins everyone's.
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class ApiTokenController {
  constructor(private readonly tokens: ApiTokens) {}

  @Post()
  @Roles('reader')
  @ApiOperation({ summary: 'Issue an API token for a machine (the token is in this answer only)' })
  @ApiCreatedResponse({ description: 'The token and its metadata', type: CreatedApiTokenResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async create(@Body() body: CreateApiTokenDto, @Caller() ctx: CommandContext): Promise<CreatedApiTokenResponse> {
    const { token, metadata } = await this.tokens.issue(body, ctx);
    return { ...apiTokenResource(metadata), token };
  }

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'List API tokens: your own, or (admins) anyone’s' })
  @ApiOkResponse({ description: 'One page of tokens, newest first', type: ApiTokenPage })
  @ApiErrorResponses(400, 401, 403)
  async list(@Query() query: ApiTokenListQuery, @Caller() ctx: CommandContext): Promise<ApiTokenPage> {
    const page = await this.tokens.list(query, ctx.principal);
    return { items: page.items.map(apiTokenResource), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @Roles('reader')
  @ApiOperation({ summary: 'Get an API token’s metadata' })
  @ApiOkResponse({ description: 'The token’s metadata', type: ApiTokenResponse })
  @ApiErrorResponses(401, 403, 404)
  async get(@Param('id') id: string, @Caller() ctx: CommandContext): Promise<ApiTokenResponse> {
    return apiTokenResource(await this.tokens.get(tokenIdParam(id), ctx.principal));
  }

  @Post(':id/revoke')
  @Roles('reader')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API token: every service refuses it from now on (it stays listed, revoked)' })
  @ApiOkResponse({ description: 'The token, revoked (revoking a revoked token changes nothing)', type: ApiTokenResponse })
  // 400 and 409: a malformed or reused Idempotency-Key, as on every POST.
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async revoke(@Param('id') id: string, @Caller() ctx: CommandContext): Promise<ApiTokenResponse> {
    const tokenId = tokenIdParam(id);
    await this.tokens.revoke(tokenId, ctx);
    return apiTokenResource(await this.tokens.get(tokenId, ctx.principal));
  }
}
