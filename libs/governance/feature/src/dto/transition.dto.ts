import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { APPROVAL_COMMAND_NAMES, ROLES, STAGES } from '@mreg/shared/contracts';
import type { ApprovalCommandName, ApprovalCommandV1, Assert, Role, SameKeys, Stage } from '@mreg/shared/contracts';
import { IsText, OptionalBody, OptionalNotNull, textSchema } from '@mreg/platform/runtime';

/** Transition ids: UUIDs as the registry hands them out. */
export const TRANSITION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class RequestTransitionDto {
  @ApiProperty({ enum: STAGES, example: 'production' })
  @IsIn([...STAGES])
  stage!: Stage;

  @ApiPropertyOptional(textSchema(2000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(2000, { multiline: true })
  comment?: string;

  @ApiPropertyOptional({ description: 'When moving to staging or production, archive the version(s) now in that stage', default: false })
  @OptionalNotNull()
  @IsBoolean()
  archiveExisting?: boolean;
}

@OptionalBody()
export class TransitionDecisionDto {
  @ApiPropertyOptional(textSchema(2000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(2000, { multiline: true })
  comment?: string;
}

/**
 * The data of an ApprovalCommand message, validated the HTTP way: checked against `ApprovalCommandV1` (the one
 * definition of the message) by the compiler — the same fields, each assignable.
 */
export class ApprovalCommandDto extends TransitionDecisionDto implements ApprovalCommandV1 {
  @IsIn([...APPROVAL_COMMAND_NAMES])
  command!: ApprovalCommandName;

  @IsString()
  @Matches(TRANSITION_ID, { message: 'transitionId must be a transition id (a lower-case UUID)' })
  transitionId!: string;
}
export type ApprovalCommandDtoFields = Assert<SameKeys<ApprovalCommandDto, ApprovalCommandV1>>;

export class StageRuleDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10 })
  @IsInt()
  @Min(0)
  @Max(10)
  requiredApprovals!: number;

  @ApiProperty({ enum: ROLES.filter((r) => r !== 'reader') })
  @IsIn(ROLES.filter((r) => r !== 'reader'))
  approverRole!: Role;
}

/** A stage rule of a policy body: required (PUT replaces the whole policy) or optional (PATCH changes some stages). */
function StageRuleField(required: boolean): PropertyDecorator {
  return applyDecorators(
    required ? ApiProperty({ type: StageRuleDto }) : ApiPropertyOptional({ type: StageRuleDto }),
    required ? IsDefined({ message: '$property: a complete policy names a rule for every stage (change some stages with PATCH)' }) : OptionalNotNull(),
    IsObject(),
    ValidateNested(),
    Type(() => StageRuleDto),
  );
}

/** `PUT …/policy`: the whole policy, a rule for each stage. */
export class ApprovalPolicyDto {
  @StageRuleField(true) development!: StageRuleDto;
  @StageRuleField(true) staging!: StageRuleDto;
  @StageRuleField(true) production!: StageRuleDto;
  @StageRuleField(true) archived!: StageRuleDto;
}

/** `PATCH …/policy`: the stages to change; the others keep the rule in force. */
export class ApprovalPolicyPatchDto {
  @StageRuleField(false) development?: StageRuleDto;
  @StageRuleField(false) staging?: StageRuleDto;
  @StageRuleField(false) production?: StageRuleDto;
  @StageRuleField(false) archived?: StageRuleDto;
}
