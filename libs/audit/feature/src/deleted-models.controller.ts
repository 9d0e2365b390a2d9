import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOrderBy, CatalogQueries, DELETED_MODEL_FILTER, DeletedModelResponse } from '@mreg/audit/read-models';
import type { DeletedModelResource, ListResult } from '@mreg/audit/read-models';
import { ApiErrorResponses, ListQuery, ModelIdPipe, Reader, Roles } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { ModelLookup } from '@mreg/registration/catalog';
import { DeletedModelPage } from './dto/catalog.response';

/**
 * Deleted models, by id: what an auditor lists to find a deleted model whose name another model may hold by now,
 * and what an admin restores (POST …/restore, registration). Readable like every history.
 */
@ApiTags('deleted models')
@ApiBearerAuth()
@Controller('deleted-models')
export class DeletedModelsController {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly lookup: ModelLookup,
  ) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'List deleted models', description: 'Each as it was when deleted, with its id, deletedAt and deletedBy; most recently deleted first.' })
  @ApiOrderBy(DELETED_MODEL_FILTER)
  @ApiOkResponse({ description: 'One page of deleted models', type: DeletedModelPage })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: ListQuery, @Reader() reader: Principal): Promise<ListResult<DeletedModelResource>> {
    return this.queries.listDeletedModels(query, reader);
  }

  @Get(':modelId')
  @Roles('reader')
  @ApiOperation({ summary: 'Get a deleted model by id' })
  @ApiOkResponse({ description: 'The model as it was when deleted', type: DeletedModelResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@Param('modelId', ModelIdPipe) modelId: string, @Reader() reader: Principal): Promise<DeletedModelResource> {
    await this.lookup.authorizeId(modelId, reader, 'read');
    return this.queries.deletedModel(modelId);
  }
}
