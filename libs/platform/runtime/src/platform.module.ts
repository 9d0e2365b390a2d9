import { mkdirSync } from 'node:fs';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { EVENT_STORE, StreamFolds } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import type { OwningContext } from '@mreg/shared/contracts';
import { EVENT_BUS } from '@mreg/platform/event-bus';
import type { EventBus } from '@mreg/platform/event-bus';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ARTIFACT_STORAGE } from '@mreg/platform/artifact-storage';
import type { ArtifactStorage } from '@mreg/platform/artifact-storage';
import { AuthGuard } from './auth/auth.guard';
import { HealthModule } from './health/health.module';
import { TokenRegistry } from './auth/token-registry';
import { ApiTokenCredentials } from './auth/api-token-credentials';
import { Authenticator } from './auth/authenticator';
import { OidcIdentity, oidcSettingsOf } from './auth/oidc-identity';
import { ConsoleSignIn, consoleSignInSettingsOf } from './auth/console-sign-in';
import { MregConfig, uriSchemesOf } from './config/mreg.config';
import { allowUriSchemes } from './http/validators';
import { adaptersFromConfig } from './config/adapters.factory';
import { EventSourcedRepository } from './event-sourcing/event-sourced-repository';
import { ConsumerStartup } from './messaging/consumer-startup';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { ConsistencyInterceptor } from './http/consistency.interceptor';
import { AuthFailureLimiter, PrincipalCaps } from './http/request-limits';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { LogRelay } from './messaging/log-relay';
import { Consistency } from './projection/consistency';
import type { ProjectionDescriptor } from './projection/consistency';
import { ProjectionRunner } from './projection/projection-runner';

/** The adapters behind the four ports; the embedded set by default, production ones injected by the services. */
export interface PlatformAdapters {
  readonly eventStore: EventStore;
  readonly eventBus: EventBus;
  readonly readStore: ReadStore;
  readonly artifactStorage: ArtifactStorage;
}

export interface PlatformOptions {
  readonly config: MregConfig;
  readonly tokens: TokenRegistry;
  /** Adapters to use; omitted ones are the embedded adapters under config.dataDir. */
  readonly adapters?: Partial<PlatformAdapters>;
  /** Run the relay (log → bus) in this process; default true. */
  readonly relay?: boolean | { readonly name: string; readonly contexts: readonly OwningContext[] };
  /** The projections writes wait for when they run in another process (distributed topology). */
  readonly readModelProjections?: readonly ProjectionDescriptor[];
}

/** The configured adapters (embedded unless MREG_* selects production ones), with any given ones preferred. */
export function configuredAdapters(config: MregConfig, given: Partial<PlatformAdapters> = {}): PlatformAdapters {
  mkdirSync(config.dataDir, { recursive: true });
  return adaptersFromConfig(config, given);
}

function oidcOf(config: MregConfig): OidcIdentity | undefined {
  const settings = oidcSettingsOf(config);
  return settings === undefined ? undefined : new OidcIdentity(settings);
}

function consoleSignInOf(config: MregConfig, oidc: OidcIdentity | undefined): ConsoleSignIn {
  const settings = consoleSignInSettingsOf(config);
  return new ConsoleSignIn(settings !== undefined && oidc !== undefined ? { settings, oidc } : undefined);
}

function uniqueByName<T extends { readonly name: string }>(descriptors: readonly T[]): T[] {
  return [...new Map(descriptors.map((d) => [d.name, d])).values()];
}

const ADAPTERS = Symbol('PlatformAdapters');
const OPTIONS = Symbol('PlatformOptions');

/** Starts the projections, then the relay, and closes everything in reverse on shutdown. */
@Injectable()
class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Platform');
  private relay?: LogRelay;

  constructor(
    @Inject(ADAPTERS) private readonly adapters: PlatformAdapters,
    @Inject(OPTIONS) private readonly options: PlatformOptions,
    private readonly runner: ProjectionRunner,
    private readonly startup: ConsumerStartup,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const starting = this.startConsumers();
    // Kafka: listen at once and let the consumers join in the background (a restarted service would otherwise
    // not answer until its groups rebalance); /ready says when they are in. In-process: they are in at once.
    if (this.options.config.eventBus !== 'kafka') return starting;
    void starting.catch((error: unknown) => {
      // A service whose consumers cannot start must not look alive: stop it, and let its supervisor restart it.
      this.logger.error(`consumers failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.kill(process.pid, 'SIGTERM');
    });
  }

  private async startConsumers(): Promise<void> {
    try {
      await this.runner.start();
      const relay = this.options.relay ?? true;
      if (relay !== false) {
        const { eventStore, eventBus, readStore } = this.adapters;
        const leaseTtlMs = this.options.config.relayLeaseMs;
        this.relay = relay === true ? new LogRelay(eventStore, eventBus, readStore, 'relay', { leaseTtlMs }) : new LogRelay(eventStore, eventBus, readStore, relay.name, { contexts: relay.contexts, leaseTtlMs });
        await this.relay.start();
      }
      this.startup.started();
    } catch (error: unknown) {
      this.startup.failed(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.runner.stop();
    const { eventBus, eventStore, readStore, artifactStorage } = this.adapters;
    for (const closable of [eventBus, eventStore, readStore, artifactStorage]) {
      try {
        await closable.close();
      } catch (error) {
        this.logger.warn(`close failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const adapters = configuredAdapters(options.config, options.adapters);
    const oidc = oidcOf(options.config);
    allowUriSchemes(uriSchemesOf(options.config));
    const providers: Provider[] = [
      { provide: OPTIONS, useValue: options },
      { provide: ADAPTERS, useValue: adapters },
      { provide: MregConfig, useValue: options.config },
      { provide: TokenRegistry, useValue: options.tokens },
      // MREG_TOKENS, API tokens (read from the log), and the OpenID provider's tokens when one is configured.
      { provide: Authenticator, useFactory: () => new Authenticator(options.tokens, new ApiTokenCredentials(adapters.eventStore), oidc) },
      { provide: ConsoleSignIn, useValue: consoleSignInOf(options.config, oidc) },
      { provide: EVENT_STORE, useValue: adapters.eventStore },
      // One fold cache per process, shared by the repository and the lookups.
      { provide: StreamFolds, useValue: new StreamFolds(adapters.eventStore) },
      { provide: EVENT_BUS, useValue: adapters.eventBus },
      { provide: READ_STORE, useValue: adapters.readStore },
      { provide: ARTIFACT_STORAGE, useValue: adapters.artifactStorage },
      { provide: ProjectionRunner, useFactory: () => new ProjectionRunner(adapters.eventBus, adapters.readStore) },
      { provide: ConsumerStartup, useValue: new ConsumerStartup() },
      {
        provide: Consistency,
        // The projections running here, plus the catalog of those running in other services (distributed).
        useFactory: (runner: ProjectionRunner) => new Consistency(adapters.readStore, () => uniqueByName([...(options.readModelProjections ?? []), ...runner.descriptors]), options.config.consistencyTimeoutMs, adapters.eventStore),
        inject: [ProjectionRunner],
      },
      EventSourcedRepository,
      AuthGuard,
      PlatformLifecycle,
      { provide: APP_GUARD, useExisting: AuthGuard },
      { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
      {
        provide: AuthFailureLimiter,
        useFactory: () => new AuthFailureLimiter(options.config.authFailuresPerMinute, 60_000),
      },
      // Before the consistency wait: a request waiting for read models is in flight too.
      {
        provide: APP_INTERCEPTOR,
        useFactory: () => new PrincipalCaps({ perPrincipal: options.config.maxRequestsPerPrincipal, costlyPerPrincipal: options.config.maxCostlyReadsPerPrincipal }),
      },
      { provide: APP_INTERCEPTOR, useClass: ConsistencyInterceptor },
      { provide: APP_INTERCEPTOR, useFactory: () => new IdempotencyInterceptor(adapters.readStore) },
    ];
    return {
      module: PlatformModule,
      imports: [HealthModule],
      providers,
      exports: [
        MregConfig,
        TokenRegistry,
        Authenticator,
        EVENT_STORE,
        StreamFolds,
        ConsumerStartup,
        EVENT_BUS,
        READ_STORE,
        ARTIFACT_STORAGE,
        ProjectionRunner,
        Consistency,
        EventSourcedRepository,
        AuthGuard,
        AuthFailureLimiter,
        ConsoleSignIn,
      ],
    };
  }
}
