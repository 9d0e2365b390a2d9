import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { ApiError } from './api-error';
import { validationPipe } from './http-app';
import { AliasPipe, ModelIdPipe, ModelNamePipe, TagKeyPipe, VersionPipe } from './path-params';
import { AsOfQuery, ListQuery } from './query-params';

const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

async function problem(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a 400');
}

describe('path parameter pipes', () => {
  it.each(['0', '-1', 'abc', '1.5', '01', '1e3', '9999999999', ' 1', '0x1', '+1', ''])('VersionPipe refuses %j', (raw) => {
    expect(() => new VersionPipe().transform(raw)).toThrow(new ApiError('INVALID_ARGUMENT', 'version must be a positive integer'));
  });

  it('VersionPipe gives the number', () => {
    expect(new VersionPipe().transform('1')).toBe(1);
    expect(new VersionPipe().transform('999999999')).toBe(999_999_999);
  });

  it('checks names, aliases and tag keys with the body grammars, naming the path', () => {
    expect(new ModelNamePipe().transform('fraud-detector')).toBe('fraud-detector');
    expect(() => new ModelNamePipe().transform('a/b')).toThrow(/^invalid model name in path: /);
    expect(new AliasPipe().transform('champion')).toBe('champion');
    expect(() => new AliasPipe().transform('latest')).toThrow(/^invalid alias in path: /);
    expect(new TagKeyPipe().transform('team')).toBe('team');
    expect(() => new TagKeyPipe().transform('')).toThrow(/^invalid tag key in path: /);
    expect(new ModelIdPipe().transform('0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10')).toBe('0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10');
    expect(() => new ModelIdPipe().transform('fraud-detector')).toThrow(new ApiError('INVALID_ARGUMENT', 'invalid model id in path: model id must be a lower-case UUID, as the registry returns it (the "id" of a model)'));
  });

  it('reach the pipe as sent: the global pipe leaves path parameters (and named query parameters) unconverted', async () => {
    await expect(validationPipe.transform('0x1', { type: 'param', metatype: Number, data: 'version' })).resolves.toBe('0x1');
    await expect(validationPipe.transform(['a', 'b'], { type: 'query', metatype: String, data: 'path' })).resolves.toEqual(['a', 'b']);
  });
});

describe('query DTOs (the global validation pipe)', () => {
  it('passes a page query through as strings', async () => {
    const parsed = (await validationPipe.transform({ filter: "name = 'a'", orderBy: '', pageSize: '5', pageToken: 't' }, query(ListQuery))) as ListQuery;
    expect({ ...parsed }).toEqual({ filter: "name = 'a'", orderBy: '', pageSize: '5', pageToken: 't' });
  });

  it('refuses unknown, repeated and prototype-named parameters with 400', async () => {
    expect(await problem(validationPipe.transform({ foo: '1' }, query(ListQuery)))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('foo') as unknown });
    expect(await problem(validationPipe.transform({ pagesize: '5' }, query(ListQuery)))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await problem(validationPipe.transform({ pageSize: ['1', '2'] }, query(ListQuery)))).toEqual({ code: 'INVALID_ARGUMENT', message: 'pageSize: query parameter pageSize must be given once' });
    for (const key of ['constructor', '__proto__', 'toString']) {
      const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      raw[key] = '1';
      expect(await problem(validationPipe.transform(raw, query(ListQuery)))).toEqual({ code: 'INVALID_ARGUMENT', message: `unknown query parameter "${key}"` });
    }
  });

  it('reads asOf as an instant, "" as now, and refuses anything else', async () => {
    const at = (await validationPipe.transform({ asOf: '2024-03-03T12:00:00Z' }, query(AsOfQuery))) as AsOfQuery;
    expect(at.asOf).toEqual(new Date('2024-03-03T12:00:00Z'));
    expect(((await validationPipe.transform({ asOf: '' }, query(AsOfQuery))) as AsOfQuery).asOf).toBeUndefined();
    expect(await problem(validationPipe.transform({ asOf: 'yesterday' }, query(AsOfQuery)))).toEqual({ code: 'INVALID_ARGUMENT', message: 'asOf: asOf must be an ISO-8601 date or date-time with a time zone' });
    expect(await problem(validationPipe.transform({ asOf: ['2024-01-01', '2025-01-01'] }, query(AsOfQuery)))).toEqual({ code: 'INVALID_ARGUMENT', message: 'asOf: query parameter asOf must be given once' });
  });
});
