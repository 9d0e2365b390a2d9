import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flushCompileCache } from 'node:module';
import { Module } from '@nestjs/common';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { resolveTokens } from './auth/token-bootstrap';
import { loadConfig } from './config/mreg.config';
import type { MregConfig } from './config/mreg.config';
import { startTelemetry } from './telemetry/telemetry';
import { createHttpApp } from './http/http-app';
import { PlatformModule } from './platform.module';
import type { PlatformAdapters, PlatformOptions } from './platform.module';

export interface ServiceSpec {
  /** Service name (telemetry, logs, OpenAPI title). */
  readonly name: string;
  /** The feature modules this process serves. */
  readonly modules: readonly (Type<unknown> | DynamicModule)[];
  readonly relay?: PlatformOptions['relay'];
  readonly readModelProjections?: PlatformOptions['readModelProjections'];
  /** The built web console this process serves at `/` (the all-in-one server's apps/console/dist). */
  readonly consoleDir?: string;
}

export interface StartedService {
  readonly app: INestApplication;
  readonly url: string;
  readonly openapi: OpenAPIObject;
  /** Set when no MREG_TOKENS was configured: the generated admin token. */
  readonly adminToken?: string;
}

@Module({})
class ServiceRootModule {}

/** Builds one process of the registry — the all-in-one server or one of the four services — without listening. */
export async function createService(spec: ServiceSpec, config: MregConfig, adapters?: Partial<PlatformAdapters>) {
  const { tokens, adminToken } = resolveTokens(config);
  const platform = PlatformModule.forRoot({
    config,
    tokens,
    ...(adapters ? { adapters } : {}),
    ...(spec.relay !== undefined ? { relay: spec.relay } : {}),
    ...(spec.readModelProjections ? { readModelProjections: spec.readModelProjections } : {}),
  });
  const root: DynamicModule = { module: ServiceRootModule, imports: [platform, ...spec.modules] };
  const { app, openapi } = await createHttpApp(root, config, { title: `mreg — ${spec.name}`, ...(spec.consoleDir !== undefined ? { consoleDir: spec.consoleDir } : {}) });
  return { app, openapi, ...(adminToken ? { adminToken } : {}) };
}

export async function startService(spec: ServiceSpec, config: MregConfig, adapters?: Partial<PlatformAdapters>): Promise<StartedService> {
  const { app, openapi, adminToken } = await createService(spec, config, adapters);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // A module refused to start (a bad setting, a port in use): release what the others opened.
    await app.close().catch(() => undefined);
    throw error;
  }
  // The launchers keep compiled code on disk (decision 31); Node writes it at exit, which a SIGKILLed process never
  // reaches, so it is written once the process serves.
  flushCompileCache?.();
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { app, openapi, url: `http://${host}:${address.port}`, ...(adminToken ? { adminToken } : {}) };
}

/** The `main` of each distributed service: telemetry, validated config, a shared token set, then listen. */
export function runServiceMain(spec: ServiceSpec): void {
  const boot = async () => {
    startTelemetry(spec.name);
    const config = loadConfig();
    // A generated admin token would differ per service: the services must share one token set.
    if (!config.tokens) throw new Error('MREG_TOKENS is required for the distributed services (every service must accept the same tokens)');
    const started = await startService(spec, config);
    process.stdout.write(`${spec.name} listening on ${started.url}\n`);
  };
  boot().catch((error: unknown) => {
    process.stderr.write(`${spec.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
