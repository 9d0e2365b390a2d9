import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import type { Request } from 'express';
import { ROLES } from '@mreg/shared/contracts';
import type { Role } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import { ApiErrorResponses } from '../http/api-error.response';
import { AuthFailureLimiter } from '../http/request-limits';
import { Satisfies } from '../http/validators';
import { ConsoleSignIn } from './console-sign-in';
import { Public } from './roles.decorator';

const CODE = /^[\x21-\x7e]{1,2048}$/;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Where the provider sent the browser back: an absolute http(s) URL without credentials or fragment. */
function redirectUriProblem(value: string): string | undefined {
  if (value.length > 2048) return 'must be at most 2048 characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '' || url.hash !== '') return 'must have no credentials and no fragment';
  return undefined;
}

export class SingleSignOnOptionsResponse {
  @ApiProperty({ format: 'uri', description: "The provider's issuer identifier" })
  issuer!: string;

  @ApiProperty({ format: 'uri', description: "The provider's authorization endpoint (from its discovery document)" })
  authorizationEndpoint!: string;

  @ApiProperty({ description: 'The client id the console signs in with' })
  clientId!: string;

  @ApiProperty({ example: 'openid profile', description: 'The scopes to ask for' })
  scope!: string;

  @ApiPropertyOptional({ description: 'The resource indicator (RFC 8707) to send, when the provider needs one' })
  resource?: string;
}

export class SignInOptionsResponse {
  @ApiProperty({ enum: ['token', 'single-sign-on'], isArray: true, description: 'How one may sign in here: with an mreg token, and with the OpenID provider when configured' })
  methods!: ('token' | 'single-sign-on')[];

  @ApiPropertyOptional({ type: SingleSignOnOptionsResponse, description: 'Present when single sign-on is configured and its provider answered' })
  singleSignOn?: SingleSignOnOptionsResponse;

  @ApiPropertyOptional({ description: 'Why single sign-on, though configured, cannot be offered right now' })
  singleSignOnUnavailable?: string;
}

/** `POST /sign-in/token`: the authorization code the provider sent the browser back with, and its PKCE verifier. */
export class CodeExchangeDto {
  @ApiProperty({ type: String, pattern: CODE.source, description: 'The `code` the provider returned to the redirect URI' })
  @IsString()
  @Matches(CODE, { message: 'code must be 1..2048 printable ASCII characters' })
  code!: string;

  @ApiProperty({ type: String, pattern: CODE_VERIFIER.source, description: 'The PKCE code verifier (RFC 7636) whose S256 challenge the authorization request carried' })
  @IsString()
  @Matches(CODE_VERIFIER, { message: 'codeVerifier must be 43..128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)' })
  codeVerifier!: string;

  @ApiProperty({ type: String, format: 'uri', maxLength: 2048, description: 'The redirect URI of the authorization request, exactly' })
  @IsString()
  @MaxLength(2048)
  @Satisfies('isRedirectUri', redirectUriProblem)
  redirectUri!: string;
}

export class SignedInResponse {
  @ApiProperty({ description: "The provider's access token: send it as `Authorization: Bearer <token>`" })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Seconds the token stays valid, when the provider says' })
  expiresIn?: number;

  @ApiProperty({ example: 'dana', description: 'The user the token names' })
  user!: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role', isArray: true, description: 'The roles it gives' })
  roles!: Role[];
}

/**
 * How to sign in (for the console's sign-in screen, before any token exists) and the single sign-on code
 * exchange (decision 36). Both are open: they are the way to a token. Every service answers them.
 */
@ApiTags('identity')
@Controller('sign-in')
export class SignInController {
  constructor(
    private readonly signIn: ConsoleSignIn,
    private readonly failures: AuthFailureLimiter,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'How to sign in: with a token, and through the OpenID provider when single sign-on is configured' })
  @ApiOkResponse({ type: SignInOptionsResponse })
  async options(): Promise<SignInOptionsResponse> {
    if (!this.signIn.configured) return { methods: ['token'] };
    try {
      return { methods: ['token', 'single-sign-on'], singleSignOn: await this.signIn.options() };
    } catch (error: unknown) {
      // The sign-in screen still offers tokens while the provider is out of reach.
      if (error instanceof ApiError && error.code === 'UNAVAILABLE') return { methods: ['token'], singleSignOnUnavailable: error.message };
      throw error;
    }
  }

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange the authorization code of a single sign-on for an access token mreg accepts',
    description:
      'The console sends the browser to the provider (authorization code with PKCE, `GET /sign-in` says where); the provider sends it back to the redirect URI with a code, which this exchanges at the provider. 401 when the provider refuses the code or issues a token mreg would not accept; 404 when single sign-on is not configured.',
  })
  @ApiOkResponse({ type: SignedInResponse })
  @ApiErrorResponses(400, 401, 404, 503)
  async exchange(@Body() body: CodeExchangeDto, @Req() req: Request): Promise<SignedInResponse> {
    try {
      const signedIn = await this.signIn.exchange(body);
      return {
        accessToken: signedIn.accessToken,
        tokenType: signedIn.tokenType,
        ...(signedIn.expiresIn !== undefined ? { expiresIn: signedIn.expiresIn } : {}),
        user: signedIn.principal.user,
        roles: [...signedIn.principal.roles],
      };
    } catch (error: unknown) {
      // A refused code counts as a failed authentication of its address, as a refused token does.
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
        const retryAfter = this.failures.record(req.socket.remoteAddress ?? 'unknown');
        if (retryAfter !== undefined) throw new ApiError('RESOURCE_EXHAUSTED', 'too many failed authentication attempts from this address; retry later', undefined, retryAfter);
      }
      throw error;
    }
  }
}
