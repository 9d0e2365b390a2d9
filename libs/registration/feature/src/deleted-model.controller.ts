import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogQueries, ModelResponse } from '@mreg/audit/read-models';
import type { ModelResource } from '@mreg/audit/read-models';
import { ApiErrorResponses, ApiWritePendingResponse, Caller, Consistency, ModelIdPipe, Roles, currentWrites, readAfterWrite } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { RestoreModelDto } from './dto/model.dto';
import { ModelRegistration } from './model-registration';

/** Deleted models, addressed by id (their names may belong to other models by now): an admin restores one. */
@ApiTags('deleted models')
@ApiBearerAuth()
@Controller('deleted-models')
export class DeletedModelController {
  constructor(
    private readonly models: ModelRegistration,
    private readonly queries: CatalogQueries,
    private readonly consistency: Consistency,
  ) {}

  @Post(':modelId/restore')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Restore a deleted model (admin)',
    description:
      'Brings the model back with its versions, aliases and tags as they were when it was deleted (versions deleted on their own stay deleted), under its old name or the `name` given. Recorded as ModelRestored with the admin as actor.',
  })
  @ApiOkResponse({ description: 'The restored model', type: ModelResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async restore(@Param('modelId', ModelIdPipe) modelId: string, @Body() body: RestoreModelDto, @Caller() ctx: CommandContext): Promise<ModelResource> {
    await this.models.restore(modelId, ctx, body.name);
    await this.consistency.waitFor(currentWrites());
    return readAfterWrite(() => this.queries.model(modelId), { id: modelId });
  }
}
