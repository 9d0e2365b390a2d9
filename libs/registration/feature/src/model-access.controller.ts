import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelAccessResponse, accessResource } from '@mreg/audit/read-models';
import { ApiErrorResponses, Caller, ModelNamePipe, Reader, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { ModelLookup } from '@mreg/registration/catalog';
import { GrantAccessDto, RevokeAccessQuery, SetVisibilityDto } from './dto/model-access.dto';
import { ModelAccessControl } from './model-access-control';

/**
 * A model's grants and visibility. Read straight from the log (no read model to wait for): a change is in force on
 * every service the moment it is acknowledged. Reading them needs read on the model, changing them manage.
 */
@ApiTags('access')
@ApiBearerAuth()
@Controller('models/:name/access')
export class ModelAccessController {
  constructor(
    private readonly access: ModelAccessControl,
    private readonly lookup: ModelLookup,
  ) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: "Who may read, write and manage a model (as it was at an instant: GET /models/{name}?asOf= has it as 'access')" })
  @ApiOkResponse({ description: 'The grants and visibility', type: ModelAccessResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@Param('name', ModelNamePipe) name: string, @Reader() reader: Principal): Promise<ModelAccessResponse> {
    return accessResource((await this.lookup.authorize(name, reader, 'read')).access);
  }

  @Put('grants')
  @Roles('reader')
  @ApiOperation({ summary: 'Give a user or group a permission on the model (replaces the one it had); needs manage' })
  @ApiOkResponse({ description: 'The grants and visibility now', type: ModelAccessResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async grant(@Param('name', ModelNamePipe) name: string, @Body() body: GrantAccessDto, @Caller() ctx: CommandContext): Promise<ModelAccessResponse> {
    return accessResource(await this.access.grant(name, body.subject, body.permission, ctx));
  }

  @Delete('grants')
  @Roles('reader')
  @ApiOperation({ summary: "Take a user's or group's grant away; needs manage" })
  @ApiOkResponse({ description: 'The grants and visibility now', type: ModelAccessResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  async revoke(@Param('name', ModelNamePipe) name: string, @Query() query: RevokeAccessQuery, @Caller() ctx: CommandContext): Promise<ModelAccessResponse> {
    return accessResource(await this.access.revoke(name, query.subject, ctx));
  }

  @Put('visibility')
  @Roles('reader')
  @ApiOperation({ summary: 'Open the model to every reader (registry) or to its grantees only (private); needs manage' })
  @ApiOkResponse({ description: 'The grants and visibility now', type: ModelAccessResponse })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async visibility(@Param('name', ModelNamePipe) name: string, @Body() body: SetVisibilityDto, @Caller() ctx: CommandContext): Promise<ModelAccessResponse> {
    return accessResource(await this.access.setVisibility(name, body.visibility, ctx));
  }
}
