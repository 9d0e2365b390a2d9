import { validateAlias, validateArtifactPath, validateModelId, validateModelName, validateTagKey } from '@mreg/shared/util';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { refuseUndeclaredMethods } from './openapi-contract';
import { PATH_PARAMETER_SCHEMAS } from './path-params';
import { TAG_VALUE_SCHEMA, textSchema, validateText } from './validators';

// The published schema of a path parameter or body field must accept exactly what its pipe or validator accepts.

const accepts = (schema: Record<string, unknown>, value: string): boolean => {
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
  const not = schema.not as { enum?: string[] } | undefined;
  return !(not?.enum ?? []).includes(value);
};

describe('the OpenAPI schemas of path parameters and fields say what the server enforces', () => {
  it.each([
    ['name', validateModelName, ['fraud-detector', 'a', 'A.b-c_d', 'a.-b', '0', 'x'.repeat(256), '', '.a', '-a', 'a..b', 'victim.', 'a b', 'a/b', 'x'.repeat(257), 'é']],
    ['alias', validateAlias, ['champion', 'a', '1a', '1-', '12_x', 'a-b_c', '', '123', 'latest', 'Champion', '-a', '_a', 'a.b', 'a'.repeat(64), 'a'.repeat(65)]],
    ['modelId', validateModelId, ['0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10', '', 'fraud', '0F7D5F0E-3C1A-4D2B-9A57-2F5E8C1B7A10', '0f7d5f0e3c1a4d2b9a572f5e8c1b7a10', '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10x']],
    ['key', validateTagKey, ['team', 'a b', 'a/b', 'a:b.c', '...', 'a/.../b', '', ' a', 'a ', '/a', '.', '..', 'a/./b', 'a/..', '../x', '__proto__', 'constructor', 'a\tb', 'a#b']],
  ] as const)('%s', (name, validate, samples) => {
    for (const sample of samples) expect([sample, accepts(PATH_PARAMETER_SCHEMAS[name], sample)]).toEqual([sample, validate(sample) === undefined]);
  });

  it('version: 1 to 999 999 999', () => {
    expect(PATH_PARAMETER_SCHEMAS.version).toEqual({ type: 'integer', minimum: 1, maximum: 999_999_999 });
  });

  it('path: one segment of an artifact path', () => {
    for (const sample of ['model.pkl', 'a b', '...', '.x', 'x'.repeat(255), '', '.', '..', 'a;b', 'a:b', 'a#b', 'a\\b', 'a%2e', 'a\u202eb', 'a\u0085b', 'a/b']) {
      const server = validateArtifactPath(sample) === undefined && !sample.includes('/');
      expect([sample, accepts(PATH_PARAMETER_SCHEMAS.path, sample)]).toEqual([sample, server]);
    }
  });

  it('text and tag values: the control characters their validators refuse', () => {
    for (const multiline of [false, true]) {
      for (const sample of ['plain', 'tab\there', 'line\nbreak', 'cr\r', 'nul\u0000', 'del\u007f', 'c1\u0085', 'x'.repeat(11)]) {
        expect([sample, accepts(textSchema(10, multiline), sample)]).toEqual([sample, validateText(10, multiline)(sample) === undefined]);
      }
    }
    expect(accepts(TAG_VALUE_SCHEMA, 'c1\u0085')).toBe(false);
    expect(accepts(TAG_VALUE_SCHEMA, 'tab\tnew\nline\r')).toBe(true);
  });
});

describe('refuseUndeclaredMethods', () => {
  const doc = {
    paths: {
      '/api/v1/models': { get: {}, post: {} },
      '/api/v1/models/{name}': { get: {}, patch: {}, delete: {} },
      '/api/v1/models/{name}/versions/{version}/artifacts/{path}': { get: {}, put: {} },
    },
  } as unknown as OpenAPIObject;
  const answer = (method: string, path: string) => {
    const reply: { status?: number; allow?: string; next: boolean } = { next: false };
    const res = {
      status(code: number) {
        reply.status = code;
        return this;
      },
      set(name: string, value: string) {
        if (name === 'Allow') reply.allow = value;
        return this;
      },
      json() {
        return this;
      },
    } as unknown as Response;
    refuseUndeclaredMethods({ doc })({ method, path } as Request, res, (() => (reply.next = true)) as NextFunction);
    return reply;
  };

  it('answers 405 with Allow for a method a known path does not declare', () => {
    expect(answer('PUT', '/api/v1/models')).toEqual({ next: false, status: 405, allow: 'GET, POST, HEAD' });
    expect(answer('POST', '/api/v1/models/fraud')).toEqual({ next: false, status: 405, allow: 'GET, DELETE, PATCH, HEAD' });
    expect(answer('DELETE', '/api/v1/models/fraud/versions/1/artifacts/a/b.pkl')).toMatchObject({ status: 405, allow: 'GET, PUT, HEAD' });
  });

  it('lets declared methods, HEAD of a GET, OPTIONS and unknown paths through', () => {
    for (const [method, path] of [
      ['GET', '/api/v1/models'],
      ['HEAD', '/api/v1/models/fraud'],
      ['OPTIONS', '/api/v1/models'],
      ['PUT', '/api/2.0/mlflow/registered-models/create'],
      ['PUT', '/api/v1/nowhere'],
    ]) {
      expect([method, path, answer(method, path).next]).toEqual([method, path, true]);
    }
  });
});
