import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put, Headers } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogQueries } from '@mreg/audit/read-models';
import type { ModelResource } from '@mreg/audit/read-models';
import { ApiError, ApiErrorResponses, ApiWritePendingResponse, Caller, Consistency, ModelNamePipe, Roles, TagKeyPipe, currentWrites, readAfterWrite } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelResponse } from '@mreg/audit/read-models';
import { CreateModelDto, RenameModelDto, SetTagDto, UpdateModelDto, newModelOf } from './dto/model.dto';
import { ModelRegistration } from './model-registration';

/** `If-Match`: a revision number, quoted or not, weak or not. */
const IF_MATCH = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/;

/** If-Match: "<revision>" → optimistic concurrency on the model stream (409 STALE_REVISION when stale). */
export function ifMatchRevision(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = IF_MATCH.exec(header);
  if (!m?.[1]) throw new ApiError('INVALID_ARGUMENT', 'If-Match must be a revision number such as "3"');
  return Number(m[1]);
}

@ApiTags('models')
@ApiBearerAuth()
@Controller('models')
export class ModelController {
  constructor(
    private readonly models: ModelRegistration,
    private readonly lookup: ModelLookup,
    private readonly queries: CatalogQueries,
    private readonly consistency: Consistency,
  ) {}

  private async settled(modelId: string): Promise<ModelResource> {
    await this.consistency.waitFor(currentWrites());
    return readAfterWrite(() => this.queries.model(modelId), { id: modelId });
  }

  @Post()
  @Roles('contributor')
  @ApiOperation({ summary: 'Register a model' })
  @ApiCreatedResponse({ description: 'The registered model', type: ModelResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 409, 413, 415)
  async register(@Body() body: CreateModelDto, @Caller() ctx: CommandContext): Promise<ModelResource> {
    const modelId = await this.models.register(newModelOf(body), ctx);
    return this.settled(modelId);
  }

  @Patch(':name')
  @Roles('contributor')
  @ApiOperation({ summary: "Change a model's description" })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Expected model revision, e.g. "3" (409 STALE_REVISION when stale)', schema: { type: 'string', pattern: IF_MATCH.source } })
  @ApiOkResponse({ description: 'The updated model', type: ModelResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async update(@Param('name', ModelNamePipe) name: string, @Body() body: UpdateModelDto, @Caller() ctx: CommandContext, @Headers('if-match') ifMatch?: string): Promise<ModelResource> {
    // A malformed If-Match is refused even when there is nothing to change.
    const expectedRevision = ifMatchRevision(ifMatch);
    if (body.description === undefined) return this.queries.model((await this.lookup.authorize(name, ctx.principal, 'write')).modelId);
    const modelId = await this.models.describe(name, body.description, ctx, expectedRevision);
    return this.settled(modelId);
  }

  @Delete(':name')
  @Roles('contributor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a model' })
  @ApiNoContentResponse({ description: 'The model is deleted' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async remove(@Param('name', ModelNamePipe) name: string, @Caller() ctx: CommandContext): Promise<void> {
    await this.models.delete(name, ctx);
  }

  @Post(':name/rename')
  @Roles('contributor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rename a model' })
  @ApiOkResponse({ description: 'The renamed model', type: ModelResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async rename(@Param('name', ModelNamePipe) name: string, @Body() body: RenameModelDto, @Caller() ctx: CommandContext): Promise<ModelResource> {
    const modelId = await this.models.rename(name, body.newName, ctx);
    return this.settled(modelId);
  }

  @Put(':name/tags/:key')
  @Roles('contributor')
  @ApiOperation({ summary: 'Set a model tag' })
  @ApiOkResponse({ description: 'The model with the tag set', type: ModelResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async setTag(@Param('name', ModelNamePipe) name: string, @Param('key', TagKeyPipe) key: string, @Body() body: SetTagDto, @Caller() ctx: CommandContext): Promise<ModelResource> {
    const modelId = await this.models.setTag(name, key, body.value, ctx);
    return this.settled(modelId);
  }

  @Delete(':name/tags/:key')
  @Roles('contributor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a model tag' })
  @ApiNoContentResponse({ description: 'The tag is removed' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async removeTag(@Param('name', ModelNamePipe) name: string, @Param('key', TagKeyPipe) key: string, @Caller() ctx: CommandContext): Promise<void> {
    await this.models.removeTag(name, key, ctx);
  }
}
