import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import { ApiError, Caller, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { TrackingCommands, TrackingQueries } from '@mreg/tracking/feature';
import type { MlflowSearchSchema } from '../wire/search-filter';
import { searchAttributes, translateMlflowFilter } from '../wire/search-filter';
import { pageSizeFor } from '../wire/search-params';
import { mlflowLoggedModel } from './tracking.entities';
import { CreateLoggedModelMessage, FinalizeLoggedModelMessage, LoggedModelParamsMessage, LoggedModelTagsMessage, SearchLoggedModelsMessage } from './tracking.messages';

const LOGGED_MODEL_SEARCH: MlflowSearchSchema = {
  attributes: searchAttributes(
    { name: 'name', model_id: 'id', model_type: 'modelType', status: 'status', source_run_id: 'sourceRunId' },
    { creation_timestamp: 'creationTime', creation_time: 'creationTime', last_updated_timestamp: 'lastUpdatedTime' },
  ),
  tagPrefix: 'tags',
};
const LOGGED_MODEL_ORDER: Readonly<Record<string, string>> = {
  name: 'name',
  model_id: 'id',
  creation_timestamp: 'creationTime',
  creation_time: 'creationTime',
  last_updated_timestamp: 'lastUpdatedTime',
};
const MODEL_ID = /^m-[0-9a-f]{32}$/;

/** A path's logged model id; one that cannot be ours is simply not found, as MLflow answers. */
function modelIdParam(id: string): string {
  if (!MODEL_ID.test(id)) throw new ApiError('NOT_FOUND', `Logged model with ID '${id.slice(0, 64)}' not found.`);
  return id;
}

/** MLflow 3's logged models (`/api/2.0/mlflow/logged-models*`). */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('api/2.0/mlflow/logged-models')
export class MlflowLoggedModelsController {
  constructor(
    private readonly commands: TrackingCommands,
    private readonly queries: TrackingQueries,
  ) {}

  private async render(id: string) {
    const { model, metrics } = await this.queries.loggedModel(id);
    return { model: mlflowLoggedModel(model, metrics) };
  }

  @Post()
  @HttpCode(200)
  @Roles('contributor')
  async create(@Body() body: CreateLoggedModelMessage, @Caller() ctx: CommandContext) {
    const created = await this.commands.createLoggedModel(
      {
        experimentId: body.experiment_id,
        ...(body.name ? { name: body.name } : {}),
        ...(body.model_type ? { modelType: body.model_type } : {}),
        ...(body.source_run_id ? { sourceRunId: body.source_run_id } : {}),
        params: body.params ?? [],
        tags: body.tags ?? [],
      },
      ctx,
    );
    return this.render(created.loggedModelId);
  }

  @Post('search')
  @HttpCode(200)
  @Roles('reader')
  async search(@Body() body: SearchLoggedModelsMessage) {
    const filter = translateMlflowFilter(body.filter, LOGGED_MODEL_SEARCH);
    const first = body.order_by?.[0];
    const field = first ? LOGGED_MODEL_ORDER[first.field_name] : 'creationTime';
    if (field === undefined) throw new ApiError('INVALID_ARGUMENT', `invalid order_by field "${first?.field_name ?? ''}"; one of ${Object.keys(LOGGED_MODEL_ORDER).join(', ')}`);
    const page = await this.queries.searchLoggedModels(body.experiment_ids ?? [], {
      ...(filter ? { filter } : {}),
      orderBy: { field, direction: first ? (first.ascending === false ? 'desc' : 'asc') : 'desc' },
      pageSize: Number(pageSizeFor(body.max_results, { default: 100, max: 1000, servedMax: 1000 })),
      ...(body.page_token ? { pageToken: body.page_token } : {}),
    });
    const models = page.items.map(({ model, metrics }) => mlflowLoggedModel(model, metrics));
    return { ...(models.length > 0 ? { models } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  }

  @Get(':id')
  @Roles('reader')
  get(@Param('id') id: string) {
    return this.render(modelIdParam(id));
  }

  @Patch(':id')
  @Roles('contributor')
  async finalize(@Param('id') id: string, @Body() body: FinalizeLoggedModelMessage, @Caller() ctx: CommandContext) {
    await this.commands.finalizeLoggedModel(modelIdParam(id), body.status, ctx);
    return this.render(id);
  }

  @Delete(':id')
  @Roles('contributor')
  async delete(@Param('id') id: string, @Caller() ctx: CommandContext) {
    await this.commands.deleteLoggedModel(modelIdParam(id), ctx);
    return {};
  }

  @Patch(':id/tags')
  @Roles('contributor')
  async setTags(@Param('id') id: string, @Body() body: LoggedModelTagsMessage, @Caller() ctx: CommandContext) {
    await this.commands.setLoggedModelTags(modelIdParam(id), body.tags, ctx);
    return {};
  }

  @Delete(':id/tags/:key')
  @Roles('contributor')
  async deleteTag(@Param('id') id: string, @Param('key') key: string, @Caller() ctx: CommandContext) {
    await this.commands.deleteLoggedModelTag(modelIdParam(id), key, ctx);
    return {};
  }

  @Post(':id/params')
  @HttpCode(200)
  @Roles('contributor')
  async logParams(@Param('id') id: string, @Body() body: LoggedModelParamsMessage, @Caller() ctx: CommandContext) {
    await this.commands.logLoggedModelParams(modelIdParam(id), body.params, ctx);
    return {};
  }
}
