import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { errorResponse } from './error-envelope.filter';
import { PATH_PARAMETER_SCHEMAS } from './path-params';
import type { ParameterSchema } from './path-params';
import { allowedUriSchemes, schemaRules, uriPattern } from './validators';

// The published document says exactly what the server enforces: what the decorators cannot say (the grammar of a
// pipe, a body that refuses unknown fields, the statuses a cross-cutting interceptor answers) is added here, once
// for every route, by createHttpApp.

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; description?: string; schema?: ParameterSchema };

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operationsOf(doc: OpenAPIObject): Operation[] {
  return Object.values(doc.paths).flatMap((item) => OPERATION_METHODS.map((method) => item[method]).filter((op): op is Operation => op !== undefined));
}

/** `?asOf=`: an ISO-8601 instant or date, or empty for "now" (AsOfQuery). */
const AS_OF_SCHEMA: ParameterSchema = {
  anyOf: [
    { type: 'string', format: 'date-time' },
    { type: 'string', format: 'date' },
    { type: 'string', enum: [''] },
  ],
};

const ERROR_BODY = { 'application/json': { schema: { $ref: '#/components/schemas/ApiErrorEnvelope' } } };

function addResponse(op: Operation, status: string, description: string): void {
  if (op.responses[status] === undefined) op.responses[status] = { description, content: ERROR_BODY };
}

/** The Idempotency-Key header every POST takes (IdempotencyInterceptor). */
const IDEMPOTENCY_KEY: Parameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes a retry safe: the same key with the same request returns the first outcome and writes nothing; with another request, 422.',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};

/** Component schemas a request body refers to, directly or through other schemas. */
function requestSchemaNames(doc: OpenAPIObject): Set<string> {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  const refsIn = (value: unknown) => [...JSON.stringify(value ?? null).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
  const pending = operationsOf(doc).flatMap((op) => refsIn(op.requestBody));
  const names = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (names.has(name)) continue;
    names.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  return names;
}

/** A URI field (URI_SCHEMA, `format: iri`) names the schemes this process allows (MREG_URI_SCHEMES), not the defaults. */
function withAllowedSchemes(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  if (Array.isArray(schema)) {
    schema.forEach(withAllowedSchemes);
    return;
  }
  const s = schema as Record<string, unknown>;
  if (s.format === 'iri' && typeof s.pattern === 'string') s.pattern = uriPattern(allowedUriSchemes());
  for (const value of Object.values(s)) withAllowedSchemes(value);
}

/** Closes an object schema and the object schemas inside it: the server refuses fields a body does not declare. */
function close(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  if (s.properties !== undefined && s.additionalProperties === undefined) s.additionalProperties = false;
  for (const child of Object.values((s.properties ?? {}) as Record<string, unknown>)) close(child);
  for (const key of ['items', 'allOf', 'anyOf', 'oneOf'] as const) {
    const value = s[key];
    if (Array.isArray(value)) value.forEach(close);
    else close(value);
  }
}

/**
 * OpenAPI 3.0's `nullable: true` as OpenAPI 3.1 (JSON Schema 2020-12) says it: `null` among the types (and values), or
 * a `null` alternative beside a schema without a type.
 */
function nullableAs31(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  if (Array.isArray(schema)) {
    schema.forEach(nullableAs31);
    return;
  }
  const s = schema as Record<string, unknown>;
  for (const value of Object.values(s)) nullableAs31(value);
  if (!('nullable' in s)) return;
  const nullable = s.nullable === true;
  delete s.nullable;
  if (!nullable) return;
  if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...(s.enum as unknown[]), null];
  if (typeof s.type === 'string') s.type = [s.type, 'null'];
  else if (s.type === undefined) {
    const inner = { ...s };
    for (const key of Object.keys(s)) if (key !== 'description' && key !== 'example') delete s[key];
    s.anyOf = [inner, { type: 'null' }];
  }
}

/**
 * Completes the document with what every route enforces:
 * - path parameters checked by a pipe (ModelNamePipe …) get that pipe's grammar, `?asOf=` its accepted forms;
 * - a header declared twice (by `@ApiHeader` and by a `@Headers()` parameter) is declared once, as `@ApiHeader` says;
 * - request bodies are closed (`additionalProperties: false`): unknown fields are refused with 400; their URI fields name
 *   the schemes this process allows; rules between their fields (@ApiSchemaRule) are added to their schemas;
 * - every POST takes an Idempotency-Key, and answers 422 when the key was used for another request;
 * - every authenticated route may answer 429 (failed authentications are throttled, expensive reads capped);
 * - every route may answer 431: Node refuses request headers and URL over 16 KiB together before any route.
 * The document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12: the version in which the keys of a map
 * (`propertyNames`) are part of its schema, as the validators check them.
 */
export function completeContract(doc: OpenAPIObject): void {
  doc.openapi = '3.1.0';
  nullableAs31(doc.paths);
  nullableAs31(doc.components);
  for (const op of operationsOf(doc)) {
    const parameters = (op.parameters ?? []) as Parameter[];
    for (const parameter of parameters) {
      const schema = parameter.in === 'path' ? PATH_PARAMETER_SCHEMAS[parameter.name] : parameter.in === 'query' && parameter.name === 'asOf' ? AS_OF_SCHEMA : undefined;
      if (schema !== undefined) parameter.schema = structuredClone(schema);
    }
    const headers = new Map<string, Parameter>();
    for (const parameter of parameters.filter((p) => p.in === 'header')) {
      const key = parameter.name.toLowerCase();
      const seen = headers.get(key);
      // The documented one (with a description, from @ApiHeader) wins over the bare `@Headers()` one.
      if (seen === undefined || (seen.description === undefined && parameter.description !== undefined)) headers.set(key, parameter);
    }
    op.parameters = parameters.filter((p) => p.in !== 'header' || headers.get(p.name.toLowerCase()) === p);
    if (op.responses['401'] !== undefined) addResponse(op, '429', 'RESOURCE_EXHAUSTED: too many failed authentications or expensive requests; retry after Retry-After seconds');
    addResponse(op, '431', 'INVALID_ARGUMENT: request headers or URL too large (16 KiB together)');
  }
  for (const item of Object.values(doc.paths)) {
    const post = item.post;
    // Open routes (no bearer token) keep no outcomes: nothing to make a retry of safe.
    if (post === undefined || post.security === undefined || post.security.length === 0) continue;
    post.parameters = [...(post.parameters ?? []), structuredClone(IDEMPOTENCY_KEY)];
    addResponse(post, '422', 'IDEMPOTENCY_MISMATCH: the Idempotency-Key was used for another request');
  }
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  for (const [name, rule] of schemaRules()) if (schemas[name] !== undefined) Object.assign(schemas[name] as object, structuredClone(rule));
  for (const name of requestSchemaNames(doc)) {
    close(schemas[name]);
    withAllowedSchemes(schemas[name]);
  }
  for (const op of operationsOf(doc)) {
    const content = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {};
    for (const media of Object.values(content)) close(media.schema);
  }
}

/** An OpenAPI path template (`/api/v1/models/{name}`) as a regex over request paths. */
function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part, i) => (i % 2 === 1 ? (part === '{path}' ? '.+' : '[^/]+') : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}

/**
 * A method the document does not declare on a path it does declare is answered 405 with the methods it does
 * (RFC 9110 §15.5.6), not 404: `PUT /api/v1/models` is 405 `Allow: GET, HEAD, POST`. Paths the document does not
 * describe (MLflow's routes, unknown paths) go on as before. `table` is filled once the document exists.
 */
export function refuseUndeclaredMethods(table: { doc?: OpenAPIObject }) {
  let routes: { regex: RegExp; methods: Set<string> }[] | undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (table.doc === undefined || req.method === 'OPTIONS') return next();
    routes ??= Object.entries(table.doc.paths).map(([template, item]) => {
      const methods = new Set(OPERATION_METHODS.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase()));
      if (methods.has('GET')) methods.add('HEAD');
      return { regex: templateRegex(template), methods };
    });
    const matching = routes.filter((route) => route.regex.test(req.path));
    if (matching.length === 0 || matching.some((route) => route.methods.has(req.method))) return next();
    const allowed = [...new Set(matching.flatMap((route) => [...route.methods]))];
    const { status, body } = errorResponse(req.path, new ApiError('METHOD_NOT_ALLOWED', `method ${req.method} is not allowed on this path; allowed: ${allowed.join(', ')}`));
    res.status(status).set('Allow', allowed.join(', ')).json(body);
  };
}
