import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PAGE_TOKEN_MAX, PAGE_TOKEN_PATTERN } from '@mreg/shared/query';
import { GivenOnce } from '@mreg/platform/runtime';

const USER = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;

/** `GET /tokens`: a page of API tokens, newest first. */
export class ApiTokenListQuery {
  @ApiPropertyOptional({ type: String, pattern: USER.source, description: "One owner's tokens (admins; anyone else sees only their own)" })
  @IsOptional()
  @GivenOnce()
  @IsString()
  @Matches(USER, { message: 'owner must be a user name' })
  owner?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50, description: '1..200, default 50' })
  @IsOptional()
  @GivenOnce()
  pageSize?: string;

  @ApiPropertyOptional({ description: 'The nextPageToken of the previous page, as given', maxLength: PAGE_TOKEN_MAX, pattern: PAGE_TOKEN_PATTERN })
  @IsOptional()
  @GivenOnce()
  pageToken?: string;
}
