import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogQueries } from '@mreg/audit/read-models';
import { ApiError, Reader, Roles } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { STAGES } from '@mreg/shared/contracts';
import { mlflowModelVersion, mlflowRegisteredModel, versionArtifactUri } from '../wire/entities';
import { AliasMessage, GetLatestVersionsMessage, ModelNameMessage, SearchMessage, VersionMessage } from '../wire/messages';
import { MODEL_SEARCH, VERSION_SEARCH, translateMlflowFilter } from '../wire/search-filter';
import { pageSizeFor, sortFor } from '../wire/search-params';
import { stageFromMlflow } from '../wire/stages';
import { MlflowRegistryViews } from './registry-views';

// MLflow's own bounds: search_registered_models serves at most 1000 per page; search_model_versions asks for
// 10,000 by default and accepts up to 200,000, served here in pages of 10,000 with a next_page_token.
const MODEL_PAGES = { default: 100, max: 1000, servedMax: 1000 } as const;
const VERSION_PAGES = { default: 10_000, max: 200_000, servedMax: 10_000 } as const;
const MODEL_ORDER = { name: 'name', timestamp: 'createdAt', creation_timestamp: 'createdAt', last_updated_timestamp: 'updatedAt' };
const VERSION_ORDER = { name: 'nameOrder', version_number: 'version', creation_timestamp: 'createdAt', timestamp: 'createdAt', last_updated_timestamp: 'updatedAt' };

/** An empty search answers `{}` and the last page has no token, as MLflow's server does. */
function page<T>(key: string, items: readonly T[], nextPageToken: string | null): Record<string, unknown> {
  return { ...(items.length > 0 ? { [key]: items } : {}), ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
}

/** MLflow's registry reads, answered from the read models (the audit service in the production topology). */
@ApiTags('mlflow')
@ApiBearerAuth()
@Controller('api/2.0/mlflow')
export class MlflowRegistryReadsController {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly views: MlflowRegistryViews,
  ) {}

  @Get('registered-models/get')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: get a registered model' })
  async getModel(@Query() query: ModelNameMessage, @Reader() reader: Principal) {
    const modelId = await this.views.modelIdOf(query.name, reader);
    return { registered_model: await this.views.model(modelId) };
  }

  @Get('registered-models/search')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: search registered models' })
  async searchModels(@Query() query: SearchMessage, @Reader() reader: Principal) {
    const order = sortFor(query.order_by ?? [], MODEL_ORDER);
    const result = await this.queries.searchModels(
      translateMlflowFilter(query.filter, MODEL_SEARCH),
      `mlflow:${query.filter ?? ''}`,
      {
        pageSize: pageSizeFor(query.max_results, MODEL_PAGES),
        ...(order ? { orderBy: order } : {}),
        ...(query.page_token ? { pageToken: query.page_token } : {}),
      },
      reader,
    );
    const models = await Promise.all(result.items.map(async (m) => mlflowRegisteredModel(m, await this.queries.latestInStages(m.id, STAGES))));
    return page('registered_models', models, result.nextPageToken);
  }

  /** MLflow's client posts this read (and falls back to GET on older servers): both are served. */
  @Post('registered-models/get-latest-versions')
  @HttpCode(200)
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: latest version per stage' })
  latestVersionsPost(@Body() body: GetLatestVersionsMessage, @Reader() reader: Principal) {
    return this.latestVersions(body, reader);
  }

  @Get('registered-models/get-latest-versions')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: latest version per stage' })
  latestVersionsGet(@Query() query: GetLatestVersionsMessage, @Reader() reader: Principal) {
    return this.latestVersions(query, reader);
  }

  private async latestVersions(message: GetLatestVersionsMessage, reader: Principal) {
    const stages = message.stages && message.stages.length > 0 ? [...new Set(message.stages.map(stageFromMlflow))] : STAGES;
    const modelId = await this.views.modelIdOf(message.name, reader);
    const versions = await this.queries.latestInStages(modelId, stages);
    return page('model_versions', versions.map(mlflowModelVersion), null);
  }

  @Get('registered-models/alias')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: the version an alias names' })
  async getByAlias(@Query() query: AliasMessage, @Reader() reader: Principal) {
    const modelId = await this.views.modelIdOf(query.name, reader);
    const model = await this.queries.model(modelId);
    // Own entries only: an alias named "constructor" must not find Object.prototype.constructor.
    const target = Object.hasOwn(model.aliases, query.alias) ? model.aliases[query.alias] : undefined;
    // MLflow's server answers a missing alias as a bad parameter, and its client expects that.
    if (target === undefined) throw new ApiError('INVALID_ARGUMENT', `registered model alias ${query.alias} not found for model "${query.name}"`);
    return { model_version: await this.views.version(modelId, target) };
  }

  @Get('model-versions/get')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: get a model version' })
  async getVersion(@Query() query: VersionMessage, @Reader() reader: Principal) {
    const modelId = await this.views.modelIdOf(query.name, reader);
    return { model_version: await this.views.version(modelId, Number(query.version)) };
  }

  @Get('model-versions/search')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: search model versions' })
  async searchVersions(@Query() query: SearchMessage, @Reader() reader: Principal) {
    const order = sortFor(query.order_by ?? [], VERSION_ORDER);
    const result = await this.queries.searchVersions(
      translateMlflowFilter(query.filter, VERSION_SEARCH),
      `mlflow:${query.filter ?? ''}`,
      {
        pageSize: pageSizeFor(query.max_results, VERSION_PAGES),
        ...(order ? { orderBy: order } : {}),
        ...(query.page_token ? { pageToken: query.page_token } : {}),
      },
      VERSION_PAGES.servedMax,
      reader,
    );
    return page('model_versions', result.items.map(mlflowModelVersion), result.nextPageToken);
  }

  /** The version's own manifest, served by the artifact proxy: sealed, digest-checked, independent of its run. */
  @Get('model-versions/get-download-uri')
  @Roles('reader')
  @ApiOperation({ summary: 'MLflow: where to download a version from' })
  async downloadUri(@Query() query: VersionMessage, @Reader() reader: Principal) {
    const modelId = await this.views.modelIdOf(query.name, reader);
    const version = await this.queries.version(modelId, Number(query.version));
    return { artifact_uri: versionArtifactUri(version) };
  }
}
