import { Controller, Delete, Get, HttpCode, Injectable, Put, Query, Req, Res } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ArtifactTreeService, artifactPathFromUrl, checkedArtifactPath, refuseOversizedUpload, sendArtifact, uploadContentType } from '@mreg/artifact/feature';
import { ApiError, Caller, MregConfig, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';

const MARKER = '/mlflow-artifacts/artifacts/';

/** The listing's `path` parameter: '' (the root) or a safe relative path; MLflow clients may send a trailing "/". */
@Injectable()
class ListingPathPipe implements PipeTransform<unknown, string> {
  transform(raw: unknown): string {
    if (raw === undefined || raw === '') return '';
    if (typeof raw !== 'string') throw new ApiError('INVALID_ARGUMENT', 'path must be given once');
    const trimmed = raw.replace(/\/+$/, '');
    return trimmed === '' ? '' : checkedArtifactPath(trimmed);
  }
}

/**
 * MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts`) over content-addressed storage: uploads are
 * streamed and hashed, the tree is in the log, downloads take one byte range. `mreg-versions/<modelId>/<n>/`
 * serves a registered version's own manifest, read-only.
 */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('api/2.0/mlflow-artifacts/artifacts')
export class MlflowArtifactsController {
  constructor(
    private readonly tree: ArtifactTreeService,
    private readonly config: MregConfig,
  ) {}

  @Get()
  @Roles('reader')
  async list(@Query('path', ListingPathPipe) dir: string, @Caller() ctx: CommandContext) {
    const files = (await this.tree.list(dir, ctx.principal)).map((f) => (f.isDir ? { path: f.name, is_dir: true } : { path: f.name, is_dir: false, file_size: f.size }));
    return files.length > 0 ? { files } : {};
  }

  @Put('*path')
  @HttpCode(200)
  @Roles('contributor')
  async upload(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Caller() ctx: CommandContext): Promise<void> {
    const path = artifactPathFromUrl(req.originalUrl, MARKER);
    refuseOversizedUpload(req, res, this.config.maxArtifactBytes);
    try {
      await this.tree.upload({ path, contentType: uploadContentType(req.headers['content-type']), content: req, maxBytes: this.config.maxArtifactBytes }, ctx);
    } catch (error) {
      // The body may be unread: don't keep a half-read connection around.
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      throw error;
    }
  }

  @Get('*path')
  @Roles('reader')
  async download(@Req() req: Request, @Res() res: Response, @Caller() ctx: CommandContext): Promise<void> {
    const entry = await this.tree.find(artifactPathFromUrl(req.originalUrl, MARKER), ctx.principal);
    await sendArtifact(req, res, entry, (range) => this.tree.open(entry, range));
  }

  @Delete('*path')
  @Roles('contributor')
  async delete(@Req() req: Request, @Caller() ctx: CommandContext) {
    await this.tree.remove(artifactPathFromUrl(req.originalUrl, MARKER), ctx);
    return {};
  }
}
