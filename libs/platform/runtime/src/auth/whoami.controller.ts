import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ROLES, effectiveRoles } from '@mreg/shared/contracts';
import type { Principal, Role } from '@mreg/shared/contracts';
import { ApiErrorResponses } from '../http/api-error.response';
import { Reader } from '../http/request-context.decorator';
import { Roles } from './roles.decorator';

export class PrincipalResponse {
  @ApiProperty({ example: 'alice', description: 'The user the credential names' })
  user!: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role', isArray: true, example: ['approver'], description: 'The roles the credential gives' })
  roles!: Role[];

  @ApiProperty({ enum: ROLES, enumName: 'Role', isArray: true, example: ['approver', 'reader'], description: 'Every role held, the implied ones included (an approver also reads)' })
  effectiveRoles!: Role[];

  @ApiProperty({ type: [String], example: ['risk'], description: 'The groups the identity names the user a member of (grants may name them)' })
  groups!: string[];

  @ApiPropertyOptional({ type: [String], description: 'Present when the credential is limited to some models (an API token): their ids' })
  models?: string[];
}

/**
 * Who the caller is: what a client (the console) needs to offer only what the credential allows. Per-model
 * grants still decide each model; this is the registry-wide part.
 */
@ApiTags('identity')
@ApiBearerAuth()
@Controller('me')
export class WhoAmIController {
  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'The authenticated caller: user, roles (and the roles they imply), groups, model scope' })
  @ApiOkResponse({ type: PrincipalResponse })
  @ApiErrorResponses(401)
  whoAmI(@Reader() principal: Principal): PrincipalResponse {
    const effective = effectiveRoles(principal.roles);
    return {
      user: principal.user,
      roles: [...principal.roles],
      effectiveRoles: ROLES.filter((role) => effective.has(role)),
      groups: [...(principal.groups ?? [])],
      ...(principal.models !== undefined ? { models: [...principal.models] } : {}),
    };
  }
}
