import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { ACCESS_SUBJECT, MODEL_PERMISSIONS, MODEL_VISIBILITIES } from '@mreg/shared/contracts';
import type { ModelPermission, ModelVisibility } from '@mreg/shared/contracts';

const SUBJECT_SCHEMA = {
  description: '`user:<name>` or `group:<name>` as the identity spells it (no spaces or control characters)',
  maxLength: 206,
  pattern: ACCESS_SUBJECT.source,
  example: 'group:risk-team',
} as const;
const SUBJECT_MESSAGE = 'subject must be "user:<name>" or "group:<name>" (1..200 characters, no spaces or control characters)';

/** `PUT /models/{name}/access/grants`: give a subject a permission (replacing the one it had). */
export class GrantAccessDto {
  @ApiProperty(SUBJECT_SCHEMA)
  @IsString()
  @MaxLength(206)
  @Matches(ACCESS_SUBJECT, { message: SUBJECT_MESSAGE })
  subject!: string;

  @ApiProperty({ enum: MODEL_PERMISSIONS, enumName: 'ModelPermission', description: 'read < write (versions, artifacts, tags, descriptions, transition requests) < manage (grants, policy, rename, delete)' })
  @IsIn(MODEL_PERMISSIONS)
  permission!: ModelPermission;
}

/** `DELETE /models/{name}/access/grants?subject=`: the subject whose grant goes. */
export class RevokeAccessQuery {
  @ApiProperty(SUBJECT_SCHEMA)
  @IsString()
  @MaxLength(206)
  @Matches(ACCESS_SUBJECT, { message: SUBJECT_MESSAGE })
  subject!: string;
}

export class SetVisibilityDto {
  @ApiProperty({ enum: MODEL_VISIBILITIES, enumName: 'ModelVisibility', description: '`registry`: every authenticated caller may read the model; `private`: only its grantees and admins' })
  @IsIn(MODEL_VISIBILITIES)
  visibility!: ModelVisibility;
}
