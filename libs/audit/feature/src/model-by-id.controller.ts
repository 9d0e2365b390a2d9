import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOrderBy, CatalogQueries, HISTORY_PAGE_FILTER } from '@mreg/audit/read-models';
import type { HistoryEntryResource, ListResult } from '@mreg/audit/read-models';
import { ApiErrorResponses, ListQuery, ModelIdPipe, Reader, Roles, VersionPipe } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { PointInTimeService } from './point-in-time.service';
import { HistoryPage, IntegrityResponse, ProvenanceResponse } from './dto/catalog.response';

/**
 * Audit reads by model id, for any model ever registered, live or deleted: the by-name routes lead to the model
 * holding a name now (or else the last one that held it), so a deleted model whose name went to a new model is
 * reached here. A prefix of its own, since `/models/{name}/…` takes any segment a model name may be.
 */
@ApiTags('models')
@ApiBearerAuth()
@Controller('models-by-id')
export class ModelByIdController {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly pointInTime: PointInTimeService,
  ) {}

  @Get(':modelId/history')
  @Roles('reader')
  @ApiOperation({ summary: "A model's audit history, by model id (deleted models too)" })
  @ApiOrderBy(HISTORY_PAGE_FILTER)
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async history(@Param('modelId', ModelIdPipe) modelId: string, @Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<HistoryEntryResource>> {
    return this.queries.history(await this.pointInTime.requireModelId(modelId, reader), query);
  }

  @Get(':modelId/versions/:version/history')
  @Roles('reader')
  @ApiOperation({ summary: "A version's audit history, by model id (deleted models too)" })
  @ApiOrderBy(HISTORY_PAGE_FILTER)
  @ApiOkResponse({ description: 'One page of history entries', type: HistoryPage })
  @ApiErrorResponses(400, 401, 403, 404)
  async versionHistory(@Param('modelId', ModelIdPipe) modelId: string, @Param('version', VersionPipe) version: number, @Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<HistoryEntryResource>> {
    return this.queries.history(await this.pointInTime.requireModelId(modelId, reader), query, version);
  }

  @Get(':modelId/versions/:version/provenance')
  @Roles('reader')
  @ApiOperation({ summary: 'The provenance of a version, by model id (deleted models and versions too)' })
  @ApiOkResponse({ description: 'Data, code, run, artifacts and approval chain of the version', type: ProvenanceResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async provenance(@Param('modelId', ModelIdPipe) modelId: string, @Param('version', VersionPipe) version: number, @Reader() reader: Principal) {
    return this.pointInTime.provenanceOf(await this.pointInTime.requireModelId(modelId, reader), version);
  }

  @Get(':modelId/integrity')
  @Roles('reader')
  @ApiOperation({ summary: "Verify a model's hash chains, by model id (deleted models too)" })
  @ApiOkResponse({ description: 'The result of recomputing every hash chain of the model', type: IntegrityResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async integrity(@Param('modelId', ModelIdPipe) modelId: string, @Reader() reader: Principal) {
    return this.pointInTime.verifyModel(await this.pointInTime.requireModelId(modelId, reader));
  }
}
