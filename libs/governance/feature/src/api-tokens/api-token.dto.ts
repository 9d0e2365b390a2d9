import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Matches } from 'class-validator';
import { API_TOKEN_MAX_LIFETIME_DAYS, ROLES } from '@mreg/shared/contracts';
import type { Role } from '@mreg/shared/contracts';
import { IsModelName, IsText, MODEL_NAME_SCHEMA, OptionalNotNull, textSchema } from '@mreg/platform/runtime';

/** An ISO-8601 instant with a time zone (what `expiresAt` takes). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const USER = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;

/** `POST /tokens`: an API token for a machine. */
export class CreateApiTokenDto {
  @ApiProperty({ ...textSchema(100), description: 'What the token is for (shown in lists)', example: 'nightly-training' })
  @IsString()
  @IsText(100)
  name!: string;

  @ApiProperty({ type: [String], enum: ROLES, minItems: 1, maxItems: ROLES.length, uniqueItems: true, description: 'What the token may do: roles its creator holds (an admin may give any)', example: ['contributor'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn([...ROLES], { each: true })
  roles!: Role[];

  @ApiPropertyOptional({
    type: 'array',
    items: MODEL_NAME_SCHEMA,
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    description: 'Limit the token to these models (by name; stored as their ids, so renames keep it). Absent: no limit beyond its roles.',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsModelName({ each: true })
  models?: string[];

  @ApiProperty({ type: String, format: 'date-time', description: `When the token stops working: in the future, at most ${API_TOKEN_MAX_LIFETIME_DAYS} days from now (else 409 FAILED_PRECONDITION)`, example: '2027-06-30T00:00:00Z' })
  @IsString()
  @Matches(INSTANT, { message: 'expiresAt must be an ISO-8601 date-time with a time zone, e.g. 2027-06-30T00:00:00Z' })
  expiresAt!: string;

  @ApiPropertyOptional({ type: String, pattern: USER.source, description: 'The user the token acts as (admins only; default: the caller)' })
  @OptionalNotNull()
  @IsString()
  @Matches(USER, { message: 'owner must be a user name' })
  owner?: string;
}

/** An API token's metadata (never its secret). */
export class ApiTokenResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'The user it acts as' })
  owner!: string;

  @ApiProperty({ type: [String], enum: ROLES })
  roles!: Role[];

  @ApiProperty({ type: [String], nullable: true, description: 'Ids of the models it is limited to; null: no limit beyond its roles' })
  models!: string[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ description: 'Who issued it (its owner, or an admin)' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ description: 'Revoked tokens are refused by every service' })
  revoked!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  revokedBy!: string | null;
}

/** The answer to `POST /tokens`: the metadata and, this once, the token itself. */
export class CreatedApiTokenResponse extends ApiTokenResponse {
  @ApiProperty({ description: 'The token (mreg_pat_…): shown only in this answer, stored only as a digest. Send it as "Authorization: Bearer <token>".', example: 'mreg_pat_…' })
  token!: string;
}

export class ApiTokenPage {
  @ApiProperty({ type: [ApiTokenResponse] })
  items!: ApiTokenResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as pageToken for the next page; null on the last page', example: null })
  nextPageToken!: string | null;
}
