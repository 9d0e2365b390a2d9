import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CatalogQueries } from '@mreg/audit/read-models';
import type { HistoryEntryResource, ListParams, ListResult, ModelResource, VersionResource } from '@mreg/audit/read-models';
import { ApiError, ModelLookup, Roles, aliasParam, asOfParam, modelNameParam, versionParam } from '@mreg/platform/runtime';
import { parseIsoInstant } from '@mreg/shared/util';
import { PointInTimeService } from './point-in-time.service';

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
  listModels(@Query() query: Record<string, unknown>): Promise<ListResult<ModelResource>> {
    return this.queries.listModels(listParams(query));
  }

  @Get('models/:name')
  @Roles('reader')
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant: the model as it was then, replayed from the log' })
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
  async listModelVersions(@Param('name') name: string, @Query() query: Record<string, unknown>): Promise<ListResult<VersionResource>> {
    modelNameParam(name);
    const params = listParams(query);
    const { modelId } = await this.lookup.require(name);
    return this.queries.listVersions(params, modelId);
  }

  @Get('versions')
  @Roles('reader')
  @ListQueries()
  searchVersions(@Query() query: Record<string, unknown>): Promise<ListResult<VersionResource>> {
    return this.queries.listVersions(listParams(query));
  }

  @Get('models/:name/versions/:version')
  @Roles('reader')
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant: the version as it was then, replayed from the log' })
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
  async history(@Param('name') name: string, @Query() query: Record<string, unknown>): Promise<ListResult<HistoryEntryResource>> {
    modelNameParam(name);
    const params = listParams(query);
    return this.queries.history(await this.pointInTime.modelIdAt(name), params);
  }

  @Get('models/:name/versions/:version/history')
  @Roles('reader')
  @ListQueries()
  async versionHistory(@Param('name') name: string, @Param('version') version: string, @Query() query: Record<string, unknown>): Promise<ListResult<HistoryEntryResource>> {
    modelNameParam(name);
    const params = listParams(query);
    return this.queries.history(await this.pointInTime.modelIdAt(name), params, versionParam(version));
  }

  @Get('models/:name/versions/:version/provenance')
  @Roles('reader')
  provenance(@Param('name') name: string, @Param('version') version: string) {
    modelNameParam(name);
    return this.pointInTime.provenance(name, versionParam(version));
  }

  @Get('models/:name/integrity')
  @Roles('reader')
  integrity(@Param('name') name: string) {
    modelNameParam(name);
    return this.pointInTime.verify(name);
  }
}
