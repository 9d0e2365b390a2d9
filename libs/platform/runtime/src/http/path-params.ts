import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { validateAlias, validateModelName, validateTagKey } from '@mreg/shared/util';
import { ApiError } from './api-error';

// Path parameters are input too: each is checked by a pipe with the same grammar as bodies (400, never a 500),
// before the handler runs: `@Param('name', ModelNamePipe) name: string`.

/** `:name`, a model name. */
@Injectable()
export class ModelNamePipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateModelName(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid model name in path: ${problem}`);
    return raw;
  }
}

/** `:version`, a version number (1 to 999 999 999, no sign, no leading zero), as a number. */
@Injectable()
export class VersionPipe implements PipeTransform<string, number> {
  transform(raw: string): number {
    if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new ApiError('INVALID_ARGUMENT', 'version must be a positive integer');
    return Number(raw);
  }
}

/** `:alias`, an alias name. */
@Injectable()
export class AliasPipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateAlias(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid alias in path: ${problem}`);
    return raw;
  }
}

/** `:key`, a tag key. */
@Injectable()
export class TagKeyPipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateTagKey(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid tag key in path: ${problem}`);
    return raw;
  }
}
