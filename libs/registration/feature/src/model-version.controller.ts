import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogQueries } from '@mreg/audit/read-models';
import type { ModelResource, VersionResource } from '@mreg/audit/read-models';
import { AliasPipe, ApiErrorResponses, ApiWritePendingResponse, Caller, Consistency, ModelNamePipe, Roles, TagKeyPipe, VersionPipe, currentWrites, readAfterWrite } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { SetAliasDto, SetTagDto } from './dto/model.dto';
import { VersionResponse } from '@mreg/audit/read-models';
import { AliasAssignmentResponse } from './dto/model-version.response';
import { CreateModelVersionDto, UpdateModelVersionDto, newVersionOf } from './dto/model-version.dto';
import { ModelAliases } from './model-aliases';
import { VersionRegistration } from './version-registration';

@ApiTags('versions')
@ApiBearerAuth()
@Controller('models/:name')
export class ModelVersionController {
  constructor(
    private readonly versions: VersionRegistration,
    private readonly aliases: ModelAliases,
    private readonly lookup: ModelLookup,
    private readonly queries: CatalogQueries,
    private readonly consistency: Consistency,
  ) {}

  private async settled(modelId: string, version: number): Promise<VersionResource> {
    await this.consistency.waitFor(currentWrites());
    return readAfterWrite(() => this.queries.version(modelId, version), { modelId, version });
  }

  @Post('versions')
  @Roles('contributor')
  @ApiOperation({ summary: 'Create a model version' })
  @ApiCreatedResponse({ description: 'The new version', type: VersionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async create(@Param('name', ModelNamePipe) name: string, @Body() body: CreateModelVersionDto, @Caller() ctx: CommandContext): Promise<VersionResource> {
    const { modelId, version } = await this.versions.create(name, newVersionOf(body), ctx);
    return this.settled(modelId, version);
  }

  @Patch('versions/:version')
  @Roles('contributor')
  @ApiOperation({ summary: "Change a version's description" })
  @ApiOkResponse({ description: 'The updated version', type: VersionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async update(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Body() body: UpdateModelVersionDto, @Caller() ctx: CommandContext): Promise<VersionResource> {
    const modelId = body.description === undefined ? (await this.lookup.authorize(name, ctx.principal, 'write')).modelId : await this.versions.describe(name, version, body.description, ctx);
    return this.settled(modelId, version);
  }

  @Delete('versions/:version')
  @Roles('contributor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a model version', description: 'Its aliases go with it; a protected alias only when the caller may remove it (else 403, nothing deleted). A version in production is never deleted (409).' })
  @ApiNoContentResponse({ description: 'The version is deleted' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async remove(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Caller() ctx: CommandContext): Promise<void> {
    await this.versions.delete(name, version, ctx);
  }

  @Put('versions/:version/tags/:key')
  @Roles('contributor')
  @ApiOperation({ summary: 'Set a version tag' })
  @ApiOkResponse({ description: 'The version with the tag set', type: VersionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async setTag(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Param('key', TagKeyPipe) key: string, @Body() body: SetTagDto, @Caller() ctx: CommandContext): Promise<VersionResource> {
    const modelId = await this.versions.setTag(name, version, key, body.value, ctx);
    return this.settled(modelId, version);
  }

  @Delete('versions/:version/tags/:key')
  @Roles('contributor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a version tag' })
  @ApiNoContentResponse({ description: 'The tag is removed' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async removeTag(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Param('key', TagKeyPipe) key: string, @Caller() ctx: CommandContext): Promise<void> {
    await this.versions.removeTag(name, version, key, ctx);
  }

  // Approvers reach the alias routes too: a protected alias is theirs to move (ModelAliases decides who may).
  @Put('aliases/:alias')
  @Roles('contributor', 'approver')
  @ApiOperation({
    summary: 'Point an alias at a version',
    description:
      "Any contributor moves a free alias. An alias the model's approval policy protects (`protectedAliases`) is moved only by a holder of its role or an admin (else 403), and only onto a version in its stage (else 409 FAILED_PRECONDITION).",
  })
  @ApiOkResponse({ description: 'The alias, the version it names and the model', type: AliasAssignmentResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async setAlias(@Param('name', ModelNamePipe) name: string, @Param('alias', AliasPipe) alias: string, @Body() body: SetAliasDto, @Caller() ctx: CommandContext): Promise<{ alias: string; version: VersionResource; model: ModelResource }> {
    const modelId = await this.aliases.assign(name, alias, body.version, ctx);
    const version = await this.settled(modelId, body.version);
    return { alias, version, model: await this.queries.model(modelId) };
  }

  @Delete('aliases/:alias')
  @Roles('contributor', 'approver')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an alias', description: "Any contributor removes a free alias; an alias the model's approval policy protects only a holder of its role or an admin (else 403)." })
  @ApiNoContentResponse({ description: 'The alias is removed' })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async removeAlias(@Param('name', ModelNamePipe) name: string, @Param('alias', AliasPipe) alias: string, @Caller() ctx: CommandContext): Promise<void> {
    await this.aliases.remove(name, alias, ctx);
  }
}
