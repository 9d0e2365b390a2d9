import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import { Caller, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { TrackingCommands, TrackingQueries } from '@mreg/tracking/feature';
import type { MlflowSearchSchema } from '../wire/search-filter';
import { searchAttributes, translateMlflowFilter, translateMlflowOrderBy } from '../wire/search-filter';
import { listOf, pageSizeFor } from '../wire/search-params';
import { mlflowExperiment } from './tracking.entities';
import { CreateExperimentMessage, DeleteExperimentTagMessage, ExperimentByNameMessage, ExperimentIdMessage, SearchExperimentsMessage, SetExperimentTagMessage, UpdateExperimentMessage } from './tracking.messages';

const EXPERIMENT_SEARCH: MlflowSearchSchema = {
  attributes: searchAttributes({ name: 'name', experiment_id: 'id' }, { creation_time: 'creationTime', last_update_time: 'lastUpdateTime' }),
  attributePrefixes: ['attribute'],
  listAttributes: ['experiment_id'],
  tagPrefix: 'tags',
  keyed: 'join',
};

/** MLflow's experiments (`/api/2.0/mlflow/experiments/*`). */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('api/2.0/mlflow/experiments')
export class MlflowExperimentsController {
  constructor(
    private readonly commands: TrackingCommands,
    private readonly queries: TrackingQueries,
  ) {}

  @Post('create')
  @HttpCode(200)
  @Roles('contributor')
  async create(@Body() body: CreateExperimentMessage, @Caller() ctx: CommandContext) {
    const experimentId = await this.commands.createExperiment({ name: body.name, ...(body.artifact_location ? { artifactLocation: body.artifact_location } : {}), tags: body.tags ?? [] }, ctx);
    return { experiment_id: experimentId };
  }

  @Get('get')
  @Roles('reader')
  async get(@Query() query: ExperimentIdMessage) {
    return { experiment: mlflowExperiment(await this.queries.experiment(query.experiment_id)) };
  }

  @Get('get-by-name')
  @Roles('reader')
  async getByName(@Query() query: ExperimentByNameMessage) {
    return { experiment: mlflowExperiment(await this.queries.experimentByName(query.experiment_name)) };
  }

  // MLflow's client posts the search; other clients use GET with the same fields as query parameters.
  @Post('search')
  @HttpCode(200)
  @Roles('reader')
  async search(@Body() body: SearchExperimentsMessage) {
    return this.searchExperiments(body);
  }

  @Get('search')
  @Roles('reader')
  async searchByQuery(@Query() query: SearchExperimentsMessage) {
    return this.searchExperiments(query);
  }

  @Post('update')
  @HttpCode(200)
  @Roles('contributor')
  async update(@Body() body: UpdateExperimentMessage, @Caller() ctx: CommandContext) {
    await this.commands.renameExperiment(body.experiment_id, body.new_name, ctx);
    return {};
  }

  @Post('delete')
  @HttpCode(200)
  @Roles('contributor')
  async delete(@Body() body: ExperimentIdMessage, @Caller() ctx: CommandContext) {
    await this.commands.deleteExperiment(body.experiment_id, ctx);
    return {};
  }

  @Post('restore')
  @HttpCode(200)
  @Roles('contributor')
  async restore(@Body() body: ExperimentIdMessage, @Caller() ctx: CommandContext) {
    await this.commands.restoreExperiment(body.experiment_id, ctx);
    return {};
  }

  @Post('set-experiment-tag')
  @HttpCode(200)
  @Roles('contributor')
  async setTag(@Body() body: SetExperimentTagMessage, @Caller() ctx: CommandContext) {
    await this.commands.setExperimentTag(body.experiment_id, { key: body.key, value: body.value }, ctx);
    return {};
  }

  @Post('delete-experiment-tag')
  @HttpCode(200)
  @Roles('contributor')
  async deleteTag(@Body() body: DeleteExperimentTagMessage, @Caller() ctx: CommandContext) {
    await this.commands.deleteExperimentTag(body.experiment_id, body.key, ctx);
    return {};
  }

  private async searchExperiments(message: SearchExperimentsMessage) {
    const filter = translateMlflowFilter(message.filter, EXPERIMENT_SEARCH);
    const orderBy = translateMlflowOrderBy(listOf(message.order_by), EXPERIMENT_SEARCH, { attributesOnly: true });
    const page = await this.queries.searchExperiments(message.view_type ?? 'ACTIVE_ONLY', {
      ...(filter ? { filter } : {}),
      orderBy: orderBy ?? { field: 'creationTime', direction: 'desc' },
      pageSize: Number(pageSizeFor(message.max_results, { default: 1000, max: 50000, servedMax: 1000 })),
      ...(message.page_token ? { pageToken: message.page_token } : {}),
    });
    return { ...(page.items.length > 0 ? { experiments: page.items.map(mlflowExperiment) } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  }
}
