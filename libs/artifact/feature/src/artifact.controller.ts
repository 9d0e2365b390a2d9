import { Controller, Get, Param, Put, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPartialContentResponse,
  ApiRequestedRangeNotSatisfiableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ArtifactEntry } from '@mreg/shared/contracts';
import { ApiError, ApiErrorEnvelope, ApiErrorResponses, Caller, ModelNamePipe, MregConfig, Roles, VersionPipe } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { CONTENT_DIGEST_PATTERN, ContentDigestError, formatContentDigest, parseContentDigest } from '@mreg/shared/util';
import { artifactPathFromUrl } from './artifact-path.param';
import { ArtifactService } from './artifact.service';
import { ArtifactManifestResponse, ArtifactResponse } from './dto/artifact.response';
import { refuseOversizedUpload, sendArtifact, uploadContentType } from './artifact-download';

function resource(entry: ArtifactEntry): ArtifactResponse {
  return { path: entry.path, size: entry.size, sha256: entry.sha256, contentType: entry.contentType, digest: formatContentDigest(entry.sha256) };
}

@ApiTags('artifacts')
@ApiBearerAuth()
@Controller('models/:name/versions/:version/artifacts')
export class ArtifactController {
  constructor(
    private readonly artifacts: ArtifactService,
    private readonly config: MregConfig,
  ) {}

  @Get()
  @Roles('reader')
  @ApiOperation({ summary: 'List the artifacts of a version' })
  @ApiOkResponse({ description: 'The manifest of the version', type: ArtifactManifestResponse })
  @ApiErrorResponses(400, 401, 403, 404)
  list(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Caller() ctx: CommandContext): Promise<ArtifactManifestResponse> {
    return this.artifacts.list(name, version, ctx.principal).then((m) => ({ ...m, items: m.items.map(resource) }));
  }

  @Put('*path')
  @Roles('contributor')
  @ApiParam({ name: 'path', description: 'Relative artifact path, e.g. model/weights.bin' })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({
    name: 'Content-Digest',
    required: false,
    description:
      'RFC 9530: sha-256=:<base64>: and/or sha-512=:<base64>: (other algorithms beside one of them are ignored). The upload is refused (400) and nothing stored ' +
      'if a digest differs from the body, is not 32 or 64 bytes, or the header names neither sha-256 nor sha-512; empty means no digest.',
    schema: { type: 'string', pattern: CONTENT_DIGEST_PATTERN },
  })
  @ApiOperation({ summary: 'Upload an artifact' })
  @ApiCreatedResponse({ description: 'The artifact was stored', type: ArtifactResponse, headers: { 'Content-Digest': { description: 'sha-256=:<base64>: of the whole artifact', schema: { type: 'string' } } } })
  @ApiOkResponse({ description: 'The identical artifact was already stored', type: ArtifactResponse, headers: { 'Content-Digest': { description: 'sha-256=:<base64>: of the whole artifact', schema: { type: 'string' } } } })
  @ApiErrorResponses(400, 401, 403, 404, 409, 413)
  async upload(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Caller() ctx: CommandContext) {
    const path = artifactPathFromUrl(req.originalUrl);
    refuseOversizedUpload(req, res, this.config.maxArtifactBytes);
    let expected: { expectedSha256?: string; expectedSha512?: string } = {};
    const digestHeader = req.headers['content-digest'];
    if (typeof digestHeader === 'string') {
      try {
        const { sha256Hex, sha512Hex } = parseContentDigest(digestHeader);
        expected = { ...(sha256Hex ? { expectedSha256: sha256Hex } : {}), ...(sha512Hex ? { expectedSha512: sha512Hex } : {}) };
      } catch (error) {
        if (error instanceof ContentDigestError) throw new ApiError('INVALID_ARGUMENT', `invalid Content-Digest header: ${error.message}`);
        throw error;
      }
    }
    try {
      const { entry, created } = await this.artifacts.upload({ modelName: name, version, path, contentType: uploadContentType(req.headers['content-type']), content: req, maxBytes: this.config.maxArtifactBytes, ...expected }, ctx);
      res.status(created ? 201 : 200);
      res.setHeader('Content-Digest', formatContentDigest(entry.sha256));
      return resource(entry);
    } catch (error) {
      // The body may be unread: don't keep a half-read connection around.
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      throw error;
    }
  }

  @Get('*path')
  @Roles('reader')
  @ApiParam({ name: 'path', description: 'Relative artifact path' })
  @ApiHeader({ name: 'Range', required: false, description: 'bytes=<start>-<end> (one range)' })
  @ApiOperation({ summary: 'Download an artifact (whole or one byte range)' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag: 304 when it matches' })
  @ApiHeader({ name: 'If-Range', required: false, description: 'The ETag: the Range applies only when it matches' })
  @ApiOkResponse({
    description: 'The whole artifact',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'Content-Digest': { description: 'sha-256=:<base64>: of the whole artifact', schema: { type: 'string' } },
      ETag: { description: 'Quoted SHA-256 of the artifact', schema: { type: 'string' } },
      'Accept-Ranges': { schema: { type: 'string', enum: ['bytes'] } },
    },
  })
  @ApiPartialContentResponse({
    description: 'The requested byte range',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'Content-Digest': { description: 'sha-256=:<base64>: of the whole artifact', schema: { type: 'string' } },
      ETag: { description: 'Quoted SHA-256 of the artifact', schema: { type: 'string' } },
      'Accept-Ranges': { schema: { type: 'string', enum: ['bytes'] } },
      'Content-Range': { description: 'bytes <start>-<end>/<size>', schema: { type: 'string' } },
    },
  })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched the ETag', headers: { ETag: { description: 'Quoted SHA-256 of the artifact', schema: { type: 'string' } } } })
  @ApiRequestedRangeNotSatisfiableResponse({ description: 'RANGE_NOT_SATISFIABLE: the Range lies outside the artifact', type: ApiErrorEnvelope, headers: { 'Content-Range': { description: 'bytes */<size>', schema: { type: 'string' } } } })
  @ApiErrorResponses(400, 401, 403, 404)
  async download(@Param('name', ModelNamePipe) name: string, @Param('version', VersionPipe) version: number, @Req() req: Request, @Res() res: Response, @Caller() ctx: CommandContext): Promise<void> {
    const path = artifactPathFromUrl(req.originalUrl);
    const entry = await this.artifacts.find(name, version, path, ctx.principal);
    await sendArtifact(req, res, entry, (range) => this.artifacts.open(entry, range));
  }
}
