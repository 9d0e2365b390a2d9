import { DEFAULT_URI_SCHEMES, validateMetricKey, validateParamKey, validateTagKey, validateUri } from '@mreg/shared/util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { completeContract } from './openapi-contract';
import { ApiSchemaRule, MAP_KEY_SCHEMA, METRIC_MAP_SCHEMA, STRING_MAP_SCHEMA, URI_SCHEMA, uriPattern } from './validators';

// The schemas of map keys and URIs say what @IsTagMap, @IsParamMap, @IsMetricMap and @IsUri enforce; the document is
// OpenAPI 3.1 so that a map's keys are part of its schema.

const keyAccepted = (key: string): boolean => {
  const schema = MAP_KEY_SCHEMA as { minLength: number; maxLength: number; pattern: string; not: { enum: string[] } };
  return key.length >= schema.minLength && key.length <= schema.maxLength && new RegExp(schema.pattern, 'u').test(key) && !schema.not.enum.includes(key);
};

describe('map keys: propertyNames', () => {
  it('tags, params and metrics name their keys by the grammar each validator checks', () => {
    expect(STRING_MAP_SCHEMA.propertyNames).toBe(MAP_KEY_SCHEMA);
    expect(METRIC_MAP_SCHEMA.propertyNames).toBe(MAP_KEY_SCHEMA);
    for (const key of ['team', 'a b', 'mlflow.source.type', 'a:b/c-d_e', '', ' a', 'a ', '/a', 'a/../b', '..', '__proto__', 'toString', 'é', 'a\tb', 'x'.repeat(250), 'x'.repeat(251)]) {
      for (const validate of [validateTagKey, validateParamKey, validateMetricKey]) expect([key, keyAccepted(key)]).toEqual([key, validate(key) === undefined]);
    }
  });
});

describe('URI fields', () => {
  const pattern = new RegExp(uriPattern(DEFAULT_URI_SCHEMES), 'u');

  it('match every URI @IsUri accepts, any case of the scheme', () => {
    for (const uri of ['s3://mlruns/42/artifacts/model', 'S3://b/k', 'https://git.example.com/risk/fraud.git', 'git+ssh://git.example.com/x.git', 'runs:/8c1f/model', 'mlflow-artifacts:/1/a', 's3://bücket/ä', 's3:']) {
      expect([uri, validateUri(uri) === undefined, pattern.test(uri)]).toEqual([uri, true, true]);
    }
  });

  it('refuse what the pattern can see: another scheme, whitespace, controls, bidi characters, a backslash', () => {
    for (const uri of ['file:///etc/passwd', 'gopher://h/x', 's3x://b/k', 'git+https+x://h', 's3://bucket/a b', 's3://b/a\u00a0b', 's3://bucket/a\u0000b', 's3://b/\u0085', 's3://bucket/evil\u202etxt', 's3:\\\\bucket\\x', 'relative/path']) {
      expect([uri, validateUri(uri) === undefined, pattern.test(uri)]).toEqual([uri, false, false]);
    }
  });

  it('leave what needs a URL parser to the description (the pattern matches, the validator refuses)', () => {
    for (const uri of ['https://user:secret@h/x', 's3://bucket/a/%2e%2e/b', 'http://169.254.169.254/latest/meta-data/', 's3://bucket/a%2']) {
      expect([uri, validateUri(uri) === undefined, pattern.test(uri)]).toEqual([uri, false, true]);
    }
    expect(URI_SCHEMA.description).toMatch(/user-info.*"\." or "\.\." path step.*metadata host/);
  });
});

describe('completeContract', () => {
  const doc = () =>
    ({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/x': {
          post: {
            security: [{ bearer: [] }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } } },
            responses: { '201': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Out' } } } }, '401': { description: 'no' } },
          },
        },
        // An open route (no bearer token: the single sign-on code exchange).
        '/open': { post: { responses: { '200': { description: 'ok' } } } },
      },
      components: {
        schemas: {
          Body: { type: 'object', properties: { source: { ...URI_SCHEMA, pattern: uriPattern(['s3']) } } },
          Out: { type: 'object', properties: { runId: { type: 'string', nullable: true }, stage: { type: 'string', enum: ['a'], nullable: true }, lineage: { allOf: [{ $ref: '#/components/schemas/Body' }], nullable: true } } },
        },
      },
    }) as unknown as OpenAPIObject;

  it('publishes OpenAPI 3.1: nullable as a null type, a null value or a null alternative', () => {
    const out = doc();
    completeContract(out);
    expect(out.openapi).toBe('3.1.0');
    expect((out.components?.schemas as Record<string, { properties: unknown }>).Out.properties).toEqual({
      runId: { type: ['string', 'null'] },
      stage: { type: ['string', 'null'], enum: ['a', null] },
      lineage: { anyOf: [{ allOf: [{ $ref: '#/components/schemas/Body' }] }, { type: 'null' }] },
    });
  });

  it('adds the rules between fields of a body class (@ApiSchemaRule) to its schema, left open inside', () => {
    const rule = { if: { required: ['flag'], properties: { flag: { const: true } } }, then: { properties: { source: { pattern: '^s3:' } } } };
    @ApiSchemaRule(rule)
    class Body {}
    expect(Body.name).toBe('Body');
    const out = doc();
    completeContract(out);
    expect((out.components?.schemas as Record<string, Record<string, unknown>>).Body).toMatchObject({ additionalProperties: false, ...rule });
  });

  it('documents 431 on every operation, and gives URI fields the schemes this process allows', () => {
    const out = doc();
    completeContract(out);
    const post = out.paths['/x'].post;
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(['201', '401', '422', '429', '431']);
    expect(post?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    // An open POST keeps no outcome: no Idempotency-Key, no 422 for a reused one.
    const open = out.paths['/open'].post;
    expect(Object.keys(open?.responses ?? {}).sort()).toEqual(['200', '431']);
    expect(open?.parameters ?? []).toEqual([]);
    const source = (out.components?.schemas as Record<string, { properties: Record<string, { pattern: string }> }>).Body.properties.source;
    expect(source.pattern).toBe(uriPattern(DEFAULT_URI_SCHEMES));
  });
});
