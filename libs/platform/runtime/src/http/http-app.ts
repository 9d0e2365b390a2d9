import { Logger, RequestMethod, ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata, DynamicModule, INestApplication, LogLevel, PipeTransform, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { ValidationError } from 'class-validator';
import { SpanKind, SpanStatusCode, context as otelContext, propagation, trace } from '@opentelemetry/api';
import { JsonLogger } from '../telemetry/json-logger';
import { routeTemplate } from '../telemetry/telemetry';
import { tracer } from '../telemetry/trace-context';
import { allowedOriginsOf } from '../config/mreg.config';
import type { MregConfig } from '../config/mreg.config';
import { ApiError } from './api-error';
import { errorResponse } from './error-envelope.filter';
import { isMlflowPath } from './mlflow-envelope';
import { completeContract, refuseUndeclaredMethods } from './openapi-contract';
import { consoleAssets } from './console-assets';
import { refuseForeignOrigins, refuseUnknownMethods, securityHeaders } from './security';
import { duplicateKeyIn } from '@mreg/shared/util';

const LEVELS: Record<MregConfig['logLevel'], LogLevel[]> = {
  error: ['error', 'fatal'],
  warn: ['error', 'fatal', 'warn'],
  log: ['error', 'fatal', 'warn', 'log'],
  debug: ['error', 'fatal', 'warn', 'log', 'debug', 'verbose'],
};

/** Routes whose body is streamed raw (artifacts): never parsed as JSON. */
const RAW_BODY_ROUTE = /\/artifacts\//;
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json(\s*;.*)?$/i;

function flattenValidation(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidation(e.children ?? [], field)];
  });
}

const validationOptions = {
  whitelist: true,
  forbidUnknownValues: true,
  transform: true,
  stopAtFirstError: false,
  exceptionFactory: (errors: ValidationError[]) => {
    const details = flattenValidation(errors);
    const summary = details.map((d) => `${d.field}: ${d.problems.join('; ')}`).join(' | ');
    return new ApiError('INVALID_ARGUMENT', summary.length > 0 ? summary.slice(0, 1000) : 'invalid request', details);
  },
};

const MLFLOW_MESSAGE = Symbol('mlflow-message');

/**
 * Marks a DTO as one of MLflow's protocol messages: validated by the same rules, but fields it does not declare
 * are dropped instead of refused, as MLflow's server does (newer clients send fields older servers ignore).
 */
export function MlflowMessage(): ClassDecorator {
  return (target) => Reflect.defineMetadata(MLFLOW_MESSAGE, true, target);
}

const OPTIONAL_BODY = Symbol('optional-body');

/**
 * Marks a body DTO whose every field is optional and whose route makes sense without a body (an approval without a
 * comment). Every other route that takes a body refuses a request without one, so that a bare `POST` does not
 * create something by accident.
 */
export function OptionalBody(): ClassDecorator {
  return (target) => Reflect.defineMetadata(OPTIONAL_BODY, true, target);
}

/** The one validation of every input: unknown fields are refused, except in MLflow's messages (dropped). */
class RegistryValidationPipe implements PipeTransform {
  private readonly strict = new ValidationPipe({ ...validationOptions, forbidNonWhitelisted: true });
  private readonly lenient = new ValidationPipe({ ...validationOptions, forbidNonWhitelisted: false });

  transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Path parameters (and a query parameter taken by name) are checked by their own pipes (ModelNamePipe,
    // VersionPipe …) on the raw value: converted here first, "0x1" would reach VersionPipe as the number 1.
    if (metadata.type === 'param' || (metadata.type === 'query' && metadata.data !== undefined)) return Promise.resolve(value);
    const mlflow = typeof metadata.metatype === 'function' && Reflect.getMetadata(MLFLOW_MESSAGE, metadata.metatype) === true;
    if (metadata.type === 'body' && value === undefined && typeof metadata.metatype === 'function' && Reflect.getMetadata(OPTIONAL_BODY, metadata.metatype) !== true) {
      return Promise.reject(new ApiError('INVALID_ARGUMENT', 'request body required: a JSON object ({} when there is nothing to send)'));
    }
    if (!mlflow && metadata.type === 'query' && typeof value === 'object' && value !== null) {
      // The validation pipe drops keys named after Object.prototype members without a word: refused instead.
      const reserved = Object.keys(value).find((key) => RESERVED_KEYS.has(key));
      if (reserved !== undefined) return Promise.reject(new ApiError('INVALID_ARGUMENT', `unknown query parameter "${reserved}"`));
    }
    return (mlflow ? this.lenient : this.strict).transform(value, metadata) as Promise<unknown>;
  }
}

export const validationPipe = new RegistryValidationPipe();

/**
 * Keys named after Object.prototype members (`__proto__`, `constructor`, `toString` ...). class-transformer skips
 * them without a word, so they would be dropped from a body (a DTO field or a tag, param or metric key) while the
 * request succeeds; and they are how prototype pollution starts. Refused anywhere in a JSON body.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The first key named after an Object.prototype member anywhere in a parsed JSON value (refused in every body). */
export function reservedKeyIn(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null) continue;
    if (Array.isArray(current)) {
      pending.push(...(current as unknown[]));
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (RESERVED_KEYS.has(key)) return key;
      pending.push(child);
    }
  }
  return undefined;
}

/** JSON nesting allowed in bodies and messages: deep enough for any signature, shallow enough for recursive code. */
export const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max` (checked without recursion). */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(current) ? (current as unknown[]) : Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What the parser would let through silently: bytes that are not UTF-8 (replaced by U+FFFD) and a key given
 * twice in one object (the last wins). Both are refused with 400, before anything reads the body.
 */
function wellFormedJsonText(_req: unknown, _res: unknown, raw: Buffer): void {
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw Object.assign(new Error('request body is not valid UTF-8'), { status: 400, type: 'encoding.invalid' });
  }
  const duplicate = duplicateKeyIn(text);
  if (duplicate !== undefined) {
    throw Object.assign(new Error(`request body has the key "${duplicate.slice(0, 64)}" twice in one object`), { status: 400, type: 'entity.duplicate.key' });
  }
}

/** The body rules for JSON routes: JSON only (415), an object (400) without reserved keys (400), bounded (413). */
function jsonBody(limit: number) {
  const parse = express.json({ limit, strict: true, type: (req) => JSON_TYPE.test(String(req.headers['content-type'] ?? '')), verify: wellFormedJsonText });
  return (req: Request, res: Response, next: NextFunction) => {
    if (RAW_BODY_ROUTE.test(req.path)) return next();
    const refuse = (error: unknown) => {
      const { status, body } = errorResponse(req.path, error);
      res.status(status).json(body);
    };
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && !JSON_TYPE.test(String(req.headers['content-type'] ?? ''))) {
      refuse(new ApiError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json'));
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        refuse(error);
        return;
      }
      if (hasBody && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
        refuse(new ApiError('INVALID_ARGUMENT', 'request body must be a JSON object'));
        return;
      }
      if (hasBody && nestsDeeperThan(req.body)) {
        refuse(new ApiError('INVALID_ARGUMENT', `request body nests deeper than ${MAX_JSON_DEPTH} levels`));
        return;
      }
      const reserved = hasBody ? reservedKeyIn(req.body) : undefined;
      if (reserved !== undefined) {
        refuse(new ApiError('INVALID_ARGUMENT', `the key "${reserved}" is not allowed in a request body`));
        return;
      }
      next();
    });
  };
}

/**
 * The server span of a request when OpenTelemetry's http instrumentation made none (telemetry started after
 * `node:http` was loaded, as in tests): the same name and attributes, `<method> <route template>`.
 */
function traceRequests(req: Request, res: Response, next: NextFunction): void {
  if (trace.getSpan(otelContext.active())) return next();
  const parent = propagation.extract(otelContext.active(), req.headers);
  const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } }, parent);
  res.on('finish', () => {
    const route = (req.route as { path?: unknown } | undefined)?.path;
    if (typeof route === 'string') {
      span.setAttribute('http.route', routeTemplate(route));
      span.updateName(`${req.method} ${routeTemplate(route)}`);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  otelContext.with(trace.setSpan(parent, span), next);
}

/**
 * Requests Node rejects before any route (headers or URL over the 16 KiB limit, broken HTTP) get the JSON
 * envelope too, instead of an empty 400/431.
 */
export function answerMalformedRequestsWithJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: tooLarge ? 'request headers or URL too large' : 'malformed HTTP request' } });
    socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\n` + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

/** Drops component schemas no path refers to, directly or through other schemas. */
function pruneUnusedSchemas(doc: OpenAPIObject): void {
  const schemas = doc.components?.schemas;
  if (!schemas) return;
  const refsIn = (value: unknown) => [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
  const used = new Set<string>();
  const pending = refsIn(doc.paths);
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

export interface HttpAppOptions {
  readonly title?: string;
  /** The built web console to serve at `/` (apps/console/dist): the all-in-one server's; the services have none. */
  readonly consoleDir?: string;
}

/** Creates the Nest HTTP app with the registry's conventions: /api/v1 prefix, JSON rules, OpenAPI, docs UI. */
export async function createHttpApp(rootModule: Type<unknown> | DynamicModule, config: MregConfig, options: HttpAppOptions = {}): Promise<{ app: INestApplication; openapi: OpenAPIObject }> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bodyParser: false, logger: new JsonLogger(LEVELS[config.logLevel]), abortOnError: false });
  app.disable('x-powered-by');
  answerMalformedRequestsWithJson(app.getHttpServer());
  app.set('query parser', 'simple');
  app.use(traceRequests);
  app.use(securityHeaders);
  app.use(refuseUnknownMethods);
  if (options.consoleDir !== undefined) {
    const consoleFiles = consoleAssets(options.consoleDir);
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (!consoleFiles.serve(req, res, req.path)) next();
    });
  }
  const contract: { doc?: OpenAPIObject } = {};
  app.use(refuseUndeclaredMethods(contract));
  app.use(refuseForeignOrigins(allowedOriginsOf(config)));
  app.use(jsonBody(config.maxJsonBytes));
  // MLflow's routes keep MLflow's paths (/api/2.0/…, /api/3.0/…): its client builds them itself.
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'ready', method: RequestMethod.GET },
      { path: 'api/2.0/*path', method: RequestMethod.ALL },
      { path: 'api/3.0/*path', method: RequestMethod.ALL },
    ],
  });
  app.useGlobalPipes(validationPipe);
  app.enableShutdownHooks();
  const openapi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title ?? 'mreg — model registry')
      .setDescription('Registered models, versions, artifacts, stages, approvals and their full history.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  // MLflow's routes speak MLflow's protocol, documented by MLflow (docs/api/mlflow.md lists what mreg serves):
  // this document describes mreg's own API.
  for (const path of Object.keys(openapi.paths)) if (isMlflowPath(path)) delete openapi.paths[path];
  completeContract(openapi);
  contract.doc = openapi;
  pruneUnusedSchemas(openapi);
  SwaggerModule.setup('api/docs', app, openapi, { jsonDocumentUrl: 'api/openapi.json', yamlDocumentUrl: 'api/openapi.yaml' });
  new Logger('mreg').debug('http app created');
  return { app, openapi };
}
