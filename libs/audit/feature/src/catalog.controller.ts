import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CatalogQueries } from '@mreg/audit/read-models';
import type { HistoryEntryResource, ListParams, ListResult, ModelResource, VersionResource } from '@mreg/audit/read-models';
import { ModelResponse, VersionResponse } from '@mreg/audit/read-models';
import { ApiError, ApiErrorResponses, Roles, aliasParam, asOfParam, modelNameParam, versionParam } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { parseIsoInstant } from '@mreg/shared/util';
import { PointInTimeService } from './point-in-time.service';
import {
  AliasResolutionResponse,
  HistoryPage,
  IntegrityResponse,
  ModelAsOfResponse,
  ModelPage,
  ProvenanceResponse,
  VersionAsOfResponse,
  VersionPage,
} from './dto/catalog.response';

const LIST_KEYS = ['filter', 'orderBy', 'pageSize', 'pageToken'] as const;

/** filter/orderBy/pageSize/pageToken from the query string; repeated or unknown parameters are a 400. */
export function listParams(query: Record<string, unknown>, extra: readonly string[] = []): ListParams {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!(LIST_KEYS as readonly string[]).includes(key) && !extra.includes(key)) {
      throw new ApiError('INVALID_ARGUMENT', `unknown query parameter "${key.slice(0, 64)}"; allowed: ${[...LIST_KEYS, ...extra].join(', ')}`);
    }
    if (typeof value !== 'string') throw new ApiError('INVALID_ARGUMENT', `query parameter ${key} must be given once`);
    if ((LIST_KEYS as readonly string[]).includes(key)) params[key] = value;
  }
  return params;
}

const LIST_QUERIES = [
  ApiQuery({ name: 'filter', required: false, description: "e.g. name LIKE 'fraud%' AND tags.team = 'risk'" }),
  ApiQuery({ name: 'orderBy', required: false, description: 'field [asc|desc]' }),
  ApiQuery({ name: 'pageSize', required: false, description: '1..1000, default 50' }),
  ApiQuery({ name: 'pageToken', required: false }),
];

function ListQueries(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of LIST_QUERIES) d(target, key, descriptor);
  };
}

@ApiTags('models')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly lookup: ModelLookup,
    private readonly pointInTime: PointInTimeService,
  ) {}

  @Get('models')
  @Roles('reader')
  @ListQueries()
  @ApiOperation({ summary: 'List and search models' })
  @ApiOkResponse({ description: 'One page of models', type: ModelPage })
  @ApiErrorResponses(400, 401, 403)
  listModels(@Query() query: Record<string, unknown>): Promise<ListResult<ModelResource>> {
    return this.queries.listModels(listParams(query));
  }

  @Get('models/:name')
  @Roles('reader')
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant: the model as it was then, replayed from the log' })
  @ApiOperation({ summary: 'Get a model (now, or as it was at asOf)' })
  @ApiExtraModels(ModelResponse, ModelAsOfResponse)
  @ApiOkResponse({ description: 'The model; with asOf, the model replayed from the log as it was then', schema: { oneOf: [{ $ref: getSchemaPath(ModelResponse) }, { $ref: getSchemaPath(ModelAsOfResponse) }] } })
  @ApiErrorResponses(400, 401, 403, 404)
  async getModel(@Param('name') name: string, @Query() query: Record<string, unknown>) {
    modelNameParam(name);
    listParams(query, ['asOf']);
    const asOf = asOfParam(query['asOf'], parseIsoInstant);
    if (asOf) return this.pointInTime.modelAt(name, asOf);
    const { modelId } = await this.lookup.require(name);
    return this.queries.model(modelId);
  }

  @Get('models/:name/versions')
  @Roles('reader')
  @ListQueries()
  @ApiOperation({ summary: 'List the versions of a model' })
  @ApiOkResponse({ description: 'One page of versions', type: VersionPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async listModelVersions(@Param('name') name: string, @Query() query: Record<string, unknown>): Promise<ListResult<VersionResource>> {
    modelNameParam(name);
    const params = listParams(query);
    const { modelId } = await this.lookup.require(name);
    return this.queries.listVersions(params, modelId);
  }

  @Get('versions')
  @Roles('reader')
  @ListQueries()
  @ApiOperation({ summary: 'Search versions across all models' })
  @ApiOkResponse({ description: 'One page of versions', type: VersionPage })
  @ApiErrorResponses(400, 401, 403)
  searchVersions(@Query() query: Record<string, unknown>): Promise<ListResult<VersionResource>> {
    return this.queries.listVersions(listParams(query));
  }

  @Get('models/:name/versions/:version')
  @Roles('reader')
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant: the version as it was then, replayed from the log' })
  @ApiOperation({ summary: 'Get a model version (now, or as it was at asOf)' })
  @ApiExtraModels(VersionResponse, VersionAsOfResponse)
  @ApiOkResponse({ description: 'The version; with asOf, the version replayed from the log as it was then', schema: { oneOf: [{ $ref: getSchemaPath(VersionResponse) }, { $ref: getSchemaPath(VersionAsOfResponse) }] } })
  @ApiErrorResponses(400, 401, 403, 404)
  async getVersion(@Param('name') name: string, @Param('version') version: string, @Query() query: Record<string, unknown>) {
    modelNameParam(name);
    const n = versionParam(version);
    listParams(query, ['asOf']);
    const asOf = asOfParam(query['asOf'], parseIsoInstant);
    if (asOf) return this.pointInTime.versionAt(name, n, asOf);
    const { modelId } = await this.lookup.require(name);
    return this.queries.version(modelId, n);
  }

  @Get('models/:name/aliases/:alias')
  @Roles('reader')
  @ApiOperation({ summary: 'Resolve an alias to its version' })
  @ApiOkResponse({ description: 'The alias and the version it names', type: AliasResolutionResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async getAlias(@Param('name') name: string, @Param('alias') alias: string): Promise<{ alias: string; version: VersionResource }> {
    modelNameParam(name);
    aliasParam(alias);
    const { modelId } = await this.lookup.require(name);
    const model = await this.queries.model(modelId);
    // Own entries only: "constructor" is a valid alias name and must not resolve to Object.prototype.constructor.
    const target = Object.hasOwn(model.aliases, alias) ? model.aliases[alias] : undefined;
    if (target === undefined) throw new ApiError('NOT_FOUND', `model "${name}" has no alias "${alias}"`);
    return { alias, version: await this.queries.version(modelId, target) };
  }

  @Get('models/:name/history')
  @Roles('reader')
  @ListQueries()
  @ApiOperation({ summary: "A model's audit history" })
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async history(@Param('name') name: string, @Query() query: Record<string, unknown>): Promise<ListResult<HistoryEntryResource>> {
    modelNameParam(name);
    const params = listParams(query);
    return this.queries.history(await this.pointInTime.modelIdAt(name), params);
  }

  @Get('models/:name/versions/:version/history')
  @Roles('reader')
  @ListQueries()
  @ApiOperation({ summary: "A version's audit history" })
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async versionHistory(@Param('name') name: string, @Param('version') version: string, @Query() query: Record<string, unknown>): Promise<ListResult<HistoryEntryResource>> {
    modelNameParam(name);
    const params = listParams(query);
    return this.queries.history(await this.pointInTime.modelIdAt(name), params, versionParam(version));
  }

  @Get('models/:name/versions/:version/provenance')
  @Roles('reader')
  @ApiOperation({ summary: 'The provenance of a version' })
  @ApiOkResponse({ description: 'Data, code, run, artifacts and approval chain of the version', type: ProvenanceResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  provenance(@Param('name') name: string, @Param('version') version: string) {
    modelNameParam(name);
    return this.pointInTime.provenance(name, versionParam(version));
  }

  @Get('models/:name/integrity')
  @Roles('reader')
  @ApiOperation({ summary: "Verify a model's hash chains" })
  @ApiOkResponse({ description: 'The result of recomputing every hash chain of the model', type: IntegrityResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  integrity(@Param('name') name: string) {
    modelNameParam(name);
    return this.pointInTime.verify(name);
  }
}
