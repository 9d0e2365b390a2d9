import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { ArtifactModule } from '@mreg/artifact/feature';
import { AuditModule } from '@mreg/audit/feature';
import { GovernanceModule } from '@mreg/governance/feature';
import { RegistrationModule } from '@mreg/registration/feature';
import { MregConfig, PlatformModule, TokenRegistry, createHttpApp } from '@mreg/platform/runtime';
import type { PlatformAdapters } from '@mreg/platform/runtime';
import type { OpenAPIObject } from '@nestjs/swagger';

@Module({})
class RegistryModule {
  static with(platform: DynamicModule): DynamicModule {
    return { module: RegistryModule, imports: [platform, RegistrationModule, GovernanceModule, ArtifactModule, AuditModule] };
  }
}

export interface StartedRegistry {
  readonly app: INestApplication;
  readonly url: string;
  readonly openapi: OpenAPIObject;
  /** Set when no MREG_TOKENS was configured: the generated admin token. */
  readonly adminToken?: string;
}

/**
 * Tokens from MREG_TOKENS; without it, one admin token is generated on first start and kept in the data dir
 * (file mode 0600), so the registry is never open and a restart keeps the same token.
 */
export function resolveTokens(config: MregConfig): { tokens: TokenRegistry; adminToken?: string } {
  if (config.tokens) return { tokens: TokenRegistry.fromJson(config.tokens) };
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'admin-token');
  let adminToken: string;
  if (existsSync(file)) {
    adminToken = readFileSync(file, 'utf8').trim();
  } else {
    adminToken = `mreg_${randomBytes(24).toString('base64url')}`;
    writeFileSync(file, `${adminToken}\n`, { mode: 0o600 });
  }
  return { tokens: new TokenRegistry({ [adminToken]: { user: 'admin', roles: ['admin'] } }), adminToken };
}

/** Builds the all-in-one registry (embedded adapters unless others are given) without listening. */
export async function createRegistry(config: MregConfig, adapters?: Partial<PlatformAdapters>) {
  const { tokens, adminToken } = resolveTokens(config);
  const platform = PlatformModule.forRoot({ config, tokens, ...(adapters ? { adapters } : {}) });
  const { app, openapi } = await createHttpApp(RegistryModule.with(platform), config);
  return { app, openapi, ...(adminToken ? { adminToken } : {}) };
}

/** Builds and starts the all-in-one registry. */
export async function startRegistry(config: MregConfig, adapters?: Partial<PlatformAdapters>): Promise<StartedRegistry> {
  const { app, openapi, adminToken } = await createRegistry(config, adapters);
  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as Server;
  const address = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { app, openapi, url: `http://${host}:${address.port}`, ...(adminToken ? { adminToken } : {}) };
}
