import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsString, Matches, Max, Min, ValidateBy, ValidateNested, buildMessage } from 'class-validator';
import { APPROVAL_COMMAND_NAMES, ROLES, STAGES } from '@mreg/shared/contracts';
import type { ApprovalCommandName, ApprovalCommandV1, Assert, ProtectedAliases, Role, SameKeys, Stage } from '@mreg/shared/contracts';
import { APPROVER_ROLES, MAX_PROTECTED_ALIASES, protectedAliasesProblem } from '@mreg/governance/domain';
import type { AliasProtectionChanges } from '@mreg/governance/domain';
import { ApiSchemaRule, IsText, OptionalBody, OptionalNotNull, PATH_PARAMETER_SCHEMAS, textSchema } from '@mreg/platform/runtime';

/** Transition ids: UUIDs as the registry hands them out. */
export const TRANSITION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** archiveExisting: true only with a stage versions replace each other in (else 400, refused by the transition decider). */
@ApiSchemaRule({ if: { required: ['archiveExisting'], properties: { archiveExisting: { const: true } } }, then: { properties: { stage: { enum: ['staging', 'production'] } } } })
export class RequestTransitionDto {
  @ApiProperty({ enum: STAGES, example: 'production' })
  @IsIn([...STAGES])
  stage!: Stage;

  @ApiPropertyOptional(textSchema(2000, true))
  @OptionalNotNull()
  @IsString()
  @IsText(2000, { multiline: true })
  comment?: string;

  @ApiPropertyOptional({ description: 'When moving to staging or production, archive the version(s) now in that stage; true with another stage is refused (400)', default: false })
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

/** One protection's schema: `{"stage", "role"}`, both required, nothing else. */
const ALIAS_PROTECTION_SCHEMA = {
  type: 'object' as const,
  required: ['stage', 'role'],
  properties: {
    stage: { type: 'string' as const, enum: [...STAGES], description: 'The stage the version an alias names must be in when it is moved there' },
    role: { type: 'string' as const, enum: [...APPROVER_ROLES], description: 'Who may move or remove the alias (an admin always may)' },
  },
  additionalProperties: false,
};

const PROTECTED_ALIASES_DESCRIPTION = 'Aliases only some may move: alias name → the role that moves or removes it (admins too) and the stage its version must be in. Aliases not named stay free for contributors.';

/**
 * The protected aliases of a policy body (alias → {stage, role}; in a PATCH, alias → null frees one), by the same
 * check the policy decider applies.
 */
function ProtectedAliasesField(required: boolean): PropertyDecorator {
  let last = '';
  const check = ValidateBy({
    name: 'isProtectedAliases',
    validator: {
      validate: (value: unknown) => {
        last = protectedAliasesProblem(value, { removals: !required }) ?? '';
        return last === '';
      },
      defaultMessage: buildMessage(() => last),
    },
  });
  const example = { champion: { stage: 'production', role: 'approver' } };
  // Keys by the alias grammar (validateAlias, AliasPipe), values a protection (or, in a PATCH, null).
  const schema = { maxProperties: MAX_PROTECTED_ALIASES, propertyNames: PATH_PARAMETER_SCHEMAS.alias, additionalProperties: required ? ALIAS_PROTECTION_SCHEMA : { ...ALIAS_PROTECTION_SCHEMA, nullable: true } };
  return applyDecorators(
    required
      ? ApiProperty({ type: 'object', ...schema, description: `${PROTECTED_ALIASES_DESCRIPTION} {} for none.`, example })
      : ApiPropertyOptional({ type: 'object', ...schema, description: `${PROTECTED_ALIASES_DESCRIPTION} null frees an alias; aliases not named keep their protection.`, example: { ...example, challenger: null } }),
    required ? IsDefined({ message: '$property: a complete policy names its protected aliases ({} for none; change some with PATCH)' }) : OptionalNotNull(),
    check,
  );
}

/** `PUT …/policy`: the whole policy, a rule for each stage and the protected aliases. */
export class ApprovalPolicyDto {
  @StageRuleField(true) development!: StageRuleDto;
  @StageRuleField(true) staging!: StageRuleDto;
  @StageRuleField(true) production!: StageRuleDto;
  @StageRuleField(true) archived!: StageRuleDto;
  @ProtectedAliasesField(true) protectedAliases!: ProtectedAliases;
}

/** `PATCH …/policy`: the stages and aliases to change; the others keep what is in force. */
export class ApprovalPolicyPatchDto {
  @StageRuleField(false) development?: StageRuleDto;
  @StageRuleField(false) staging?: StageRuleDto;
  @StageRuleField(false) production?: StageRuleDto;
  @StageRuleField(false) archived?: StageRuleDto;
  @ProtectedAliasesField(false) protectedAliases?: AliasProtectionChanges;
}
