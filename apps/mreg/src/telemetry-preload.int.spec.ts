import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serverOrSkip } from '@mreg/testing/infra';

const SUITE = 'telemetry preload: mongodb and aws-sdk spans';
const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * A Node process of its own (jest's module loader bypasses the require hooks instrumentations patch through):
 * TypeScript through swc and `@mreg/*` through tsconfig's paths, then the app's preload and the real Mongo
 * and S3 adapters, in the order given. Telemetry exports what the standard OTEL_* variables select.
 */
const CHILD = `
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const ROOT = process.env.TEST_ROOT;
const swc = require(path.join(ROOT, 'node_modules', '@swc', 'core'));
const swcrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
delete swcrc.$schema;
swcrc.sourceMaps = false;
require.extensions['.ts'] = (module, filename) => module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, filename }).code, filename);
const paths = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const target = paths[request];
  return resolveFilename.call(this, target ? path.join(ROOT, target[0]) : request, ...rest);
};
const preload = () => require(path.join(ROOT, 'apps', 'mreg', 'src', 'telemetry.ts'));
if (process.env.TEST_ORDER === 'preload-first') preload();
const { MongoReadStore } = require('@mreg/platform/read-store/mongo');
const { S3ArtifactStorage } = require('@mreg/platform/artifact-storage/s3');
if (process.env.TEST_ORDER !== 'preload-first') preload();
const { stopTelemetry } = require('@mreg/platform/runtime/telemetry');
const { trace } = require(require.resolve('@opentelemetry/api', { paths: [ROOT] }));
// The mongodb instrumentation records only inside a trace (in the app: the request's span).
const inSpan = (work) => trace.getTracer('preload-test').startActiveSpan('work', (span) => work().finally(() => span.end()));
inSpan(async () => {
  const store = new MongoReadStore(process.env.MREG_MONGO_URL, 'mreg_telemetry_preload');
  await store.collection('checkpoints').get('preload-probe');
  await store.close();
  const blobs = new S3ArtifactStorage({
    endpoint: process.env.MREG_S3_ENDPOINT,
    region: process.env.MREG_S3_REGION || 'us-east-1',
    bucket: process.env.MREG_S3_BUCKET,
    credentials: { accessKeyId: process.env.MREG_S3_ACCESS_KEY, secretAccessKey: process.env.MREG_S3_SECRET_KEY },
  });
  await blobs.exists('0'.repeat(64));
  await blobs.close();
})
  .then(() => stopTelemetry())
  .catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\\n');
  process.exit(1);
});
`;

interface ExportedSpan {
  readonly service: string;
  readonly scope: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
}

interface OtlpAttribute {
  readonly key: string;
  readonly value: OtlpValue;
}

interface OtlpTraces {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly OtlpAttribute[] };
    readonly scopeSpans?: readonly { readonly scope?: { readonly name?: string }; readonly spans?: readonly { readonly name: string; readonly attributes?: readonly OtlpAttribute[] }[] }[];
  }[];
}

const attributesOf = (list: readonly OtlpAttribute[] = []): Record<string, unknown> => Object.fromEntries(list.map((a) => [a.key, a.value.stringValue ?? a.value.intValue]));

/** An OTLP/HTTP (JSON) trace receiver: what a collector would get. */
async function collector(): Promise<{ server: Server; url: string; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) spans.push({ service, scope: scopeSpans.scope?.name ?? '', name: span.name, attributes: attributesOf(span.attributes) });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

const mongo = serverOrSkip('mongo', SUITE);
const s3 = serverOrSkip('s3', SUITE);
const available = (url: string | undefined): url is string => url !== undefined && url !== 'docker';

(available(mongo) && available(s3) ? describe : describe.skip)(SUITE, () => {
  let dir: string;
  let script: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-telemetry-'));
    script = join(dir, 'child.cjs');
    await writeFile(script, CHILD);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(order: 'preload-first' | 'clients-first'): Promise<ExportedSpan[]> {
    const { server, url, spans } = await collector();
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, TEST_ROOT: ROOT, TEST_ORDER: order };
      for (const key of Object.keys(env)) if (key.startsWith('OTEL_')) delete env[key];
      Object.assign(env, {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces`,
      });
      await promisify(execFile)(process.execPath, [script], { env, cwd: ROOT, timeout: 60_000 });
      return spans;
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  }

  it("exports mongodb and S3 client spans when the app's preload runs before the clients load", async () => {
    const spans = await run('preload-first');
    const mongodb = spans.filter((s) => s.scope === '@opentelemetry/instrumentation-mongodb');
    const aws = spans.filter((s) => s.scope === '@opentelemetry/instrumentation-aws-sdk');
    expect(mongodb.length).toBeGreaterThan(0);
    expect(mongodb.some((s) => s.attributes['db.system'] === 'mongodb' || s.attributes['db.system.name'] === 'mongodb')).toBe(true);
    expect(aws.map((s) => s.name)).toContain('S3.HeadObject');
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['mreg']));
  }, 90_000);

  it('exports neither when the clients loaded first: why the preload is the first import of every main', async () => {
    const spans = await run('clients-first');
    expect(spans.filter((s) => s.scope === '@opentelemetry/instrumentation-mongodb')).toEqual([]);
    expect(spans.filter((s) => s.scope === '@opentelemetry/instrumentation-aws-sdk')).toEqual([]);
  }, 90_000);
});
