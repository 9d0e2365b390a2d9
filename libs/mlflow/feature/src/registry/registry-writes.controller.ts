import { Body, Controller, Delete, HttpCode, Inject, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelAliases, ModelRegistration, VersionRegistration } from '@mreg/registration/feature';
import { ModelLookup } from '@mreg/registration/catalog';
import { Caller, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import {
  AliasMessage,
  CreateModelVersionMessage,
  CreateRegisteredModelMessage,
  DeleteModelTagMessage,
  DeleteVersionTagMessage,
  ModelNameMessage,
  RenameRegisteredModelMessage,
  SetAliasMessage,
  SetModelTagMessage,
  SetVersionTagMessage,
  UpdateModelVersionMessage,
  UpdateRegisteredModelMessage,
  VersionMessage,
} from '../wire/messages';
import type { MlflowTagMessage } from '../wire/messages';
import { MlflowRegistryViews } from './registry-views';
import { REGISTRATION_SOURCES } from './registration-sources';
import type { RegistrationSources } from './registration-sources';

function tagMap(tags: readonly MlflowTagMessage[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
}

/**
 * MLflow's registry writes (`/api/2.0/mlflow/registered-models/*`, `model-versions/*`) on registration's use
 * cases: the same commands, events and rules as `/api/v1`, answered in MLflow's shapes.
 */
@ApiTags('mlflow')
@ApiBearerAuth()
@Controller('api/2.0/mlflow')
export class MlflowRegistryWritesController {
  constructor(
    private readonly models: ModelRegistration,
    private readonly versions: VersionRegistration,
    private readonly aliases: ModelAliases,
    private readonly lookup: ModelLookup,
    private readonly views: MlflowRegistryViews,
    @Inject(REGISTRATION_SOURCES) private readonly sources: RegistrationSources,
  ) {}

  @Post('registered-models/create')
  @HttpCode(200)
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: create a registered model' })
  async createModel(@Body() body: CreateRegisteredModelMessage, @Caller() ctx: CommandContext) {
    const modelId = await this.models.register({ name: body.name, description: body.description ?? '', tags: tagMap(body.tags) }, ctx);
    return { registered_model: await this.views.settledModel(modelId, body.name) };
  }

  @Patch('registered-models/update')
  @Roles('contributor')
  @ApiOperation({ summary: "MLflow: change a registered model's description" })
  async updateModel(@Body() body: UpdateRegisteredModelMessage, @Caller() ctx: CommandContext) {
    const modelId = body.description === undefined ? (await this.lookup.authorize(body.name, ctx.principal, 'write')).modelId : await this.models.describe(body.name, body.description, ctx);
    return { registered_model: await this.views.settledModel(modelId, body.name) };
  }

  @Post('registered-models/rename')
  @HttpCode(200)
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: rename a registered model' })
  async renameModel(@Body() body: RenameRegisteredModelMessage, @Caller() ctx: CommandContext) {
    const modelId = await this.models.rename(body.name, body.new_name, ctx);
    return { registered_model: await this.views.settledModel(modelId, body.new_name) };
  }

  @Delete('registered-models/delete')
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: delete a registered model' })
  async deleteModel(@Body() body: ModelNameMessage, @Caller() ctx: CommandContext) {
    await this.models.delete(body.name, ctx);
    return {};
  }

  @Post('registered-models/set-tag')
  @HttpCode(200)
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: set a registered model tag' })
  async setModelTag(@Body() body: SetModelTagMessage, @Caller() ctx: CommandContext) {
    await this.models.setTag(body.name, body.key, body.value, ctx);
    return {};
  }

  @Delete('registered-models/delete-tag')
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: delete a registered model tag' })
  async deleteModelTag(@Body() body: DeleteModelTagMessage, @Caller() ctx: CommandContext) {
    // MLflow deletes idempotently: a tag that is not there is already deleted (the model must exist).
    const model = await this.views.rawModel((await this.lookup.authorize(body.name, ctx.principal, 'write')).modelId);
    if (Object.hasOwn(model.tags, body.key)) await this.models.removeTag(body.name, body.key, ctx);
    return {};
  }

  // The same use case as PUT /api/v1/…/aliases/{alias}: protected aliases are guarded there, for both doors.
  @Post('registered-models/alias')
  @HttpCode(200)
  @Roles('contributor', 'approver')
  @ApiOperation({ summary: 'MLflow: point an alias at a version' })
  async setAlias(@Body() body: SetAliasMessage, @Caller() ctx: CommandContext) {
    await this.aliases.assign(body.name, body.alias, Number(body.version), ctx);
    return {};
  }

  @Delete('registered-models/alias')
  @Roles('contributor', 'approver')
  @ApiOperation({ summary: 'MLflow: remove an alias' })
  async deleteAlias(@Body() body: AliasMessage, @Caller() ctx: CommandContext) {
    // Read is enough to look: removing it is ModelAliases' to allow (write, or the role of a protected alias).
    const model = await this.views.rawModel((await this.lookup.authorize(body.name, ctx.principal, 'read')).modelId);
    if (Object.hasOwn(model.aliases, body.alias)) await this.aliases.remove(body.name, body.alias, ctx);
    return {};
  }

  @Post('model-versions/create')
  @HttpCode(200)
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: create a model version (from a run, a logged model or an artifact location)' })
  async createVersion(@Body() body: CreateModelVersionMessage, @Caller() ctx: CommandContext) {
    const facts = await this.sources.resolveRegistrationSource({
      source: body.source,
      ...(body.run_id ? { runId: body.run_id } : {}),
      ...(body.model_id ? { modelId: body.model_id } : {}),
    });
    const runId = body.run_id || facts.runId;
    const { modelId, version } = await this.versions.create(
      body.name,
      {
        description: body.description ?? '',
        source: body.source,
        ...(runId ? { runId } : {}),
        ...(facts.loggedModelId ? { loggedModelId: facts.loggedModelId } : {}),
        params: facts.params,
        metrics: facts.metrics,
        tags: tagMap(body.tags),
        lineage: facts.lineage,
        ...(facts.artifactSource !== undefined ? { artifactSource: facts.artifactSource } : {}),
      },
      ctx,
    );
    return { model_version: await this.views.settledVersion(modelId, version, body.name) };
  }

  @Patch('model-versions/update')
  @Roles('contributor')
  @ApiOperation({ summary: "MLflow: change a model version's description" })
  async updateVersion(@Body() body: UpdateModelVersionMessage, @Caller() ctx: CommandContext) {
    const n = Number(body.version);
    const modelId = body.description === undefined ? (await this.lookup.authorize(body.name, ctx.principal, 'write')).modelId : await this.versions.describe(body.name, n, body.description, ctx);
    return { model_version: await this.views.settledVersion(modelId, n, body.name) };
  }

  @Delete('model-versions/delete')
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: delete a model version' })
  async deleteVersion(@Body() body: VersionMessage, @Caller() ctx: CommandContext) {
    await this.versions.delete(body.name, Number(body.version), ctx);
    return {};
  }

  @Post('model-versions/set-tag')
  @HttpCode(200)
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: set a model version tag' })
  async setVersionTag(@Body() body: SetVersionTagMessage, @Caller() ctx: CommandContext) {
    await this.versions.setTag(body.name, Number(body.version), body.key, body.value, ctx);
    return {};
  }

  @Delete('model-versions/delete-tag')
  @Roles('contributor')
  @ApiOperation({ summary: 'MLflow: delete a model version tag' })
  async deleteVersionTag(@Body() body: DeleteVersionTagMessage, @Caller() ctx: CommandContext) {
    const version = await this.views.rawVersion((await this.lookup.authorize(body.name, ctx.principal, 'write')).modelId, Number(body.version));
    if (Object.hasOwn(version.tags, body.key)) await this.versions.removeTag(body.name, Number(body.version), body.key, ctx);
    return {};
  }
}
