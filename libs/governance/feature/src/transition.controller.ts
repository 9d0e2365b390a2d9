import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOrderBy, CatalogQueries, TRANSITION_FILTER } from '@mreg/audit/read-models';
import type { ListResult, TransitionResource } from '@mreg/audit/read-models';
import { ApiError, ApiErrorResponses, ApiWritePendingResponse, Caller, Consistency, ModelNamePipe, Reader, Roles, VersionPipe, currentWrites, readAfterWrite } from '@mreg/platform/runtime';
import type { Principal } from '@mreg/shared/contracts';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';
import { TransitionResponse } from '@mreg/audit/read-models';
import { TransitionPage } from './dto/transition.response';
import { RequestTransitionDto, TRANSITION_ID, TransitionDecisionDto } from './dto/transition.dto';
import { TransitionListQuery } from './dto/transition-list.query';
import { GovernanceCommands } from './governance.commands';

function transitionIdParam(raw: string): string {
  if (!TRANSITION_ID.test(raw)) throw new ApiError('NOT_FOUND', `transition ${raw.slice(0, 64)} not found`);
  return raw;
}

@ApiTags('transitions')
@ApiBearerAuth()
@Controller()
export class TransitionController {
  constructor(
    private readonly commands: GovernanceCommands,
    private readonly queries: CatalogQueries,
    private readonly consistency: Consistency,
    private readonly lookup: ModelLookup,
  ) {}

  private async settled(transitionId: string): Promise<TransitionResource> {
    await this.consistency.waitFor(currentWrites());
    return readAfterWrite(() => this.queries.transition(transitionId), { id: transitionId });
  }

  @Post('models/:name/versions/:version/transitions')
  @Roles('contributor')
  @ApiOperation({ summary: 'Request a stage transition for a version' })
  @ApiCreatedResponse({ description: 'The transition request (applied at once when no approval is needed)', type: TransitionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async request(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Body() body: RequestTransitionDto, @Caller() ctx: CommandContext): Promise<TransitionResource> {
    const id = await this.commands.request(name, version, body, ctx);
    return this.settled(id);
  }

  @Get('transitions')
  @Roles('reader')
  @ApiOperation({ summary: 'List transition requests' })
  @ApiOrderBy(TRANSITION_FILTER)
  @ApiOkResponse({ description: 'One page of transitions', type: TransitionPage })
  @ApiErrorResponses(400, 401, 403)
  async list(@Query() query: TransitionListQuery, @Reader() reader: Principal): Promise<ListResult<TransitionResource>> {
    const { model, ...params } = query;
    if (model === undefined) return this.queries.listTransitions(params, reader);
    // No such model (or one the caller may not read): the same query scoped to an id no model has (ids are UUIDs),
    // so that its filter, order and page token are checked as for any model, and the page is empty.
    const found = await this.lookup.resolve(model);
    const readable = found !== undefined && (await this.lookup.permissionOf(found.modelId, reader)) !== undefined;
    return this.queries.listTransitions({ ...params, modelId: readable ? found.modelId : 'no-such-model' }, reader);
  }

  @Get('transitions/:id')
  @Roles('reader')
  @ApiOperation({ summary: 'Get a transition request' })
  @ApiOkResponse({ description: 'The transition', type: TransitionResponse })
  @ApiErrorResponses(401, 403, 404)
  async get(@Param('id') id: string, @Reader() reader: Principal): Promise<TransitionResource> {
    await this.commands.authorizeTransition(transitionIdParam(id), reader, 'read');
    return this.queries.transition(transitionIdParam(id));
  }

  @Post('transitions/:id/approve')
  @Roles('contributor', 'approver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a pending transition' })
  @ApiOkResponse({ description: 'The transition after the decision', type: TransitionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async approve(@Param('id') id: string, @Body() body: TransitionDecisionDto, @Caller() ctx: CommandContext): Promise<TransitionResource> {
    await this.commands.approve(transitionIdParam(id), body.comment ?? '', ctx);
    return this.settled(id);
  }

  @Post('transitions/:id/reject')
  @Roles('contributor', 'approver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a pending transition' })
  @ApiOkResponse({ description: 'The transition after the decision', type: TransitionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async reject(@Param('id') id: string, @Body() body: TransitionDecisionDto, @Caller() ctx: CommandContext): Promise<TransitionResource> {
    await this.commands.reject(transitionIdParam(id), body.comment ?? '', ctx);
    return this.settled(id);
  }

  @Post('transitions/:id/cancel')
  @Roles('contributor', 'approver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a pending transition' })
  @ApiOkResponse({ description: 'The transition after the decision', type: TransitionResponse })
  @ApiWritePendingResponse()
  @ApiErrorResponses(400, 401, 403, 404, 409, 413, 415)
  async cancel(@Param('id') id: string, @Body() body: TransitionDecisionDto, @Caller() ctx: CommandContext): Promise<TransitionResource> {
    await this.commands.cancel(transitionIdParam(id), body.comment ?? '', ctx);
    return this.settled(id);
  }
}
