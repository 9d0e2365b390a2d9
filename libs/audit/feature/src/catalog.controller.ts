import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiOrderBy, CatalogQueries, HISTORY_PAGE_FILTER, MODEL_FILTER, VERSION_FILTER } from '@mreg/audit/read-models';
import type { HistoryEntryResource, ListResult, ModelResource, VersionResource } from '@mreg/audit/read-models';
import { ModelResponse, VersionResponse } from '@mreg/audit/read-models';
import { AliasPipe, ApiError, ApiErrorResponses, AsOfQuery, ListQuery, ModelNamePipe, Reader, Roles, VersionPipe } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { ModelLookup } from '@mreg/registration/catalog';
import { PointInTimeService } from './point-in-time.service';
import { AliasResolutionResponse, HistoryPage, IntegrityResponse, ModelAsOfResponse, ModelPage, ProvenanceResponse, VersionAsOfResponse, VersionPage } from './dto/catalog.response';

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
  @ApiOperation({ summary: 'List and search models' })
  @ApiOrderBy(MODEL_FILTER)
  @ApiOkResponse({ description: 'One page of models', type: ModelPage })
  @ApiErrorResponses(400, 401, 403)
  listModels(@Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<ModelResource>> {
    return this.queries.listModels(query, reader);
  }

  @Get('models/:name')
  @Roles('reader')
  @ApiOperation({ summary: 'Get a model (now, or as it was at asOf)' })
  @ApiExtraModels(ModelResponse, ModelAsOfResponse)
  @ApiOkResponse({ description: 'The model; with asOf, the model replayed from the log as it was then', schema: { oneOf: [{ $ref: getSchemaPath(ModelResponse) }, { $ref: getSchemaPath(ModelAsOfResponse) }] } })
  @ApiErrorResponses(400, 401, 403, 404)
  async getModel(@Param('name', ModelNamePipe) name: string, @Query() { asOf }: AsOfQuery, @Reader() reader: Principal) {
    if (asOf) return this.pointInTime.modelAt(name, asOf, reader);
    const { modelId } = await this.lookup.authorize(name, reader, 'read');
    return this.queries.model(modelId);
  }

  @Get('models/:name/versions')
  @Roles('reader')
  @ApiOperation({ summary: 'List the versions of a model' })
  @ApiOrderBy(VERSION_FILTER)
  @ApiOkResponse({ description: 'One page of versions', type: VersionPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async listModelVersions(@Param('name', ModelNamePipe) name: string, @Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<VersionResource>> {
    const { modelId } = await this.lookup.authorize(name, reader, 'read');
    return this.queries.listVersions(query, reader, modelId);
  }

  @Get('versions')
  @Roles('reader')
  @ApiOperation({ summary: 'Search versions across all models' })
  @ApiOrderBy(VERSION_FILTER)
  @ApiOkResponse({ description: 'One page of versions', type: VersionPage })
  @ApiErrorResponses(400, 401, 403)
  searchVersions(@Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<VersionResource>> {
    return this.queries.listVersions(query, reader);
  }

  @Get('models/:name/versions/:version')
  @Roles('reader')
  @ApiOperation({ summary: 'Get a model version (now, or as it was at asOf)' })
  @ApiExtraModels(VersionResponse, VersionAsOfResponse)
  @ApiOkResponse({ description: 'The version; with asOf, the version replayed from the log as it was then', schema: { oneOf: [{ $ref: getSchemaPath(VersionResponse) }, { $ref: getSchemaPath(VersionAsOfResponse) }] } })
  @ApiErrorResponses(400, 401, 403, 404)
  async getVersion(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Query() { asOf }: AsOfQuery, @Reader() reader: Principal) {
    if (asOf) return this.pointInTime.versionAt(name, version, asOf, reader);
    const { modelId } = await this.lookup.authorize(name, reader, 'read');
    return this.queries.version(modelId, version);
  }

  @Get('models/:name/aliases/:alias')
  @Roles('reader')
  @ApiOperation({ summary: 'Resolve an alias to its version' })
  @ApiOkResponse({ description: 'The alias and the version it names', type: AliasResolutionResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async getAlias(@Param('name', ModelNamePipe) name: string, @Param('alias', AliasPipe) alias: string, @Reader() reader: Principal): Promise<{ alias: string; version: VersionResource }> {
    const { modelId } = await this.lookup.authorize(name, reader, 'read');
    const model = await this.queries.model(modelId);
    // Own entries only: "constructor" is a valid alias name and must not resolve to Object.prototype.constructor.
    const target = Object.hasOwn(model.aliases, alias) ? model.aliases[alias] : undefined;
    if (target === undefined) throw new ApiError('NOT_FOUND', `model "${name}" has no alias "${alias}"`);
    return { alias, version: await this.queries.version(modelId, target) };
  }

  @Get('history')
  @Roles('reader')
  @ApiOperation({ summary: 'The registry-wide audit history: every event of the models the caller may read, newest first by default' })
  @ApiOrderBy(HISTORY_PAGE_FILTER)
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403)
  registryHistory(@Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<HistoryEntryResource>> {
    return this.queries.registryHistory(query, reader);
  }

  @Get('models/:name/history')
  @Roles('reader')
  @ApiOperation({ summary: "A model's audit history" })
  @ApiOrderBy(HISTORY_PAGE_FILTER)
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async history(@Param('name', ModelNamePipe) name: string, @Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<HistoryEntryResource>> {
    return this.queries.history(await this.pointInTime.modelIdAt(name, reader), query);
  }

  @Get('models/:name/versions/:version/history')
  @Roles('reader')
  @ApiOperation({ summary: "A version's audit history" })
  @ApiOrderBy(HISTORY_PAGE_FILTER)
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async versionHistory(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<HistoryEntryResource>> {
    return this.queries.history(await this.pointInTime.modelIdAt(name, reader), query, version);
  }

  @Get('models/:name/versions/:version/provenance')
  @Roles('reader')
  @ApiOperation({ summary: 'The provenance of a version' })
  @ApiOkResponse({ description: 'Data, code, run, artifacts and approval chain of the version', type: ProvenanceResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  provenance(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Reader() reader: Principal) {
    return this.pointInTime.provenance(name, version, reader);
  }

  @Get('models/:name/integrity')
  @Roles('reader')
  @ApiOperation({ summary: "Verify a model's hash chains" })
  @ApiOkResponse({ description: 'The result of recomputing every hash chain of the model', type: IntegrityResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  integrity(@Param('name', ModelNamePipe) name: string, @Reader() reader: Principal) {
    return this.pointInTime.verify(name, reader);
  }
}
