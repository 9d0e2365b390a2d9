import { Type, plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';
import { DEFAULT_URI_SCHEMES, parseCidrList, parseUriSchemes } from '@mreg/shared/util';
import { ROLES } from '@mreg/shared/contracts';
import type { Role } from '@mreg/shared/contracts';
import { issuerProblem } from '../auth/oidc-keys';
import { parseGroupRoles, parseJwtAlgorithms } from '../auth/oidc-identity';
import { Satisfies } from '../http/validators';

/** The registry's configuration, from the environment, validated at boot (STYLE rule 12). */
export class MregConfig {
  /** HTTP port (PORT). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  port = 8080;

  /** Host to bind (MREG_HOST). */
  @IsString()
  @MinLength(1)
  host = '0.0.0.0';

  /** Where the embedded adapters keep their data (MREG_DATA_DIR). */
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  dataDir = './.mreg-data';

  /** Secret: bearer tokens JSON (MREG_TOKENS). When absent an admin token is generated and kept in the data dir. */
  @IsOptional()
  @IsString()
  tokens?: string;

  /**
   * Single sign-on (README "Single sign-on"): the OpenID provider whose access tokens (JWTs) are accepted as bearer
   * tokens (MREG_OIDC_ISSUER), exactly as its tokens' `iss` spells it; https, or http on the loopback. Unset: none.
   */
  @IsOptional()
  @Satisfies('isIssuer', issuerProblem)
  oidcIssuer?: string;

  /** The audience mreg is to the provider (MREG_OIDC_AUDIENCE): a token's `aud` must name it. Required with the issuer. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  oidcAudience?: string;

  /** Signature algorithms accepted (MREG_OIDC_ALGORITHMS), comma separated; asymmetric only. */
  @Satisfies('isJwtAlgorithmList', (list) => {
    const parsed = parseJwtAlgorithms(list);
    return typeof parsed === 'string' ? parsed : undefined;
  })
  oidcAlgorithms = 'RS256,PS256,ES256';

  /** The claim naming the user (MREG_OIDC_USER_CLAIM); a token without it is named by `sub`. */
  @Matches(/^[^\s]{1,200}$/)
  oidcUserClaim = 'preferred_username';

  /** The claim listing the user's groups (MREG_OIDC_GROUPS_CLAIM); a dotted path reaches into nested claims. */
  @Matches(/^[^\s]{1,200}$/)
  oidcGroupsClaim = 'groups';

  /** A claim listing mreg role names the provider assigns (MREG_OIDC_ROLES_CLAIM), e.g. `mreg_roles` or `realm_access.roles`. */
  @IsOptional()
  @Matches(/^[^\s]{1,200}$/)
  oidcRolesClaim?: string;

  /** Roles by group (MREG_OIDC_GROUP_ROLES): JSON {"<group>": "<role>" | ["<role>", …]}. */
  @IsOptional()
  @MaxLength(65536)
  @Satisfies('isGroupRoles', (json) => {
    const parsed = parseGroupRoles(json);
    return typeof parsed === 'string' ? parsed : undefined;
  })
  oidcGroupRoles?: string;

  /** The role every user the provider vouches for gets (MREG_OIDC_DEFAULT_ROLE); unset: only what claims and groups give. */
  @IsOptional()
  @IsIn(ROLES)
  oidcDefaultRole?: Role;

  /** Clock skew allowed on a token's exp, nbf and iat, in seconds (MREG_OIDC_CLOCK_SKEW_SECONDS). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600)
  oidcClockSkewSeconds = 60;

  /** How long the provider's keys are used before they are fetched again, in seconds (MREG_OIDC_KEYS_CACHE_SECONDS). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86400)
  oidcKeysCacheSeconds = 600;

  /**
   * The least time between two fetches of the keys caused by tokens naming an unknown key (a rotation), in seconds
   * (MREG_OIDC_KEYS_MIN_REFRESH_SECONDS): a flood of made-up key ids costs one fetch per interval.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3600)
  oidcKeysMinRefreshSeconds = 30;

  /**
   * The client id the web console signs in with at the provider (MREG_OIDC_CONSOLE_CLIENT_ID): authorization code
   * with PKCE, redirect URI `<console URL>/sign-in`. Unset: the console's sign-in takes tokens only.
   */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,255}$/, { message: 'must be 1..255 printable ASCII characters' })
  oidcConsoleClientId?: string;

  /** Secret: the console client's secret (MREG_OIDC_CONSOLE_CLIENT_SECRET) when the provider registered it as confidential; mreg exchanges the code. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  oidcConsoleClientSecret?: string;

  /** The scopes the console asks for (MREG_OIDC_CONSOLE_SCOPE), space separated; `openid` is always asked. */
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+){0,31}$/, { message: 'must be space-separated scope tokens (RFC 6749 §3.3)' })
  @MaxLength(1024)
  oidcConsoleScope = 'openid profile';

  /** The resource indicator (RFC 8707) the console's access token is for (MREG_OIDC_CONSOLE_RESOURCE), when the provider needs one to issue a token with mreg's audience. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  oidcConsoleResource?: string;

  /** Largest JSON request body in bytes (MREG_MAX_JSON_BYTES). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  maxJsonBytes = 1024 * 1024;

  /** Largest artifact in bytes (MREG_MAX_ARTIFACT_BYTES); default 100 GiB. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  maxArtifactBytes = 100 * 1024 ** 3;

  /**
   * The budget of one query (a list, a search, a count), in ms (MREG_QUERY_BUDGET_MS): past it the query is stopped
   * and answered 400 "query too expensive". Embedded default 250 (a query blocks the process while it runs);
   * with MongoDB the server enforces it (maxTimeMS), default 10000.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(600000)
  queryBudgetMs?: number;

  /** Queries that may wait for their turn before new ones get 503 + Retry-After (MREG_MAX_QUEUED_READS). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  maxQueuedReads = 256;

  /**
   * Embedded: worker threads that run lists, searches and counts off the event loop (MREG_QUERY_WORKERS); default
   * one per core beyond the first (at least one, at most four); 0 runs them on the main thread between requests.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(64)
  queryWorkers?: number;

  /** Requests one principal may have in flight at once; past it 429 + Retry-After (MREG_MAX_REQUESTS_PER_PRINCIPAL). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  maxRequestsPerPrincipal = 256;

  /**
   * Costly reads (filtered, ordered or large lists, history, provenance, integrity) one principal may have in
   * flight at once (MREG_MAX_COSTLY_READS_PER_PRINCIPAL).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  maxCostlyReadsPerPrincipal = 16;

  /** Failed authentications one client address may make per minute before it gets 429 (MREG_AUTH_FAILURES_PER_MINUTE). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000000)
  authFailuresPerMinute = 600;

  /** How long a write waits for its read models before answering (MREG_CONSISTENCY_TIMEOUT_MS). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60000)
  consistencyTimeoutMs = 5000;

  /**
   * Who may read a new model without a grant (MREG_MODEL_VISIBILITY, decision 32): `registry` — every authenticated
   * caller; `owners` — only its creator (who manages it), the creator's groups (read) and admins.
   */
  @IsIn(['registry', 'owners'])
  modelVisibility: 'registry' | 'owners' = 'registry';

  /** Event store adapter (MREG_EVENT_STORE): embedded SQLite, KurrentDB/EventStoreDB, or PostgreSQL. */
  @IsIn(['sqlite', 'kurrentdb', 'postgres'])
  eventStore: 'sqlite' | 'kurrentdb' | 'postgres' = 'sqlite';

  /** SQLite log file (MREG_EVENT_STORE_PATH); default <dataDir>/events.sqlite. Processes may share it. */
  @IsOptional()
  @IsString()
  eventStorePath?: string;

  /** Secret: KurrentDB connection string (MREG_KURRENTDB_URL), e.g. kurrentdb://127.0.0.1:2113?tls=false. */
  @IsOptional()
  @IsString()
  kurrentdbUrl?: string;

  /** Secret: PostgreSQL URL for the log (MREG_POSTGRES_URL), e.g. postgres://mreg:…@127.0.0.1:5432/mreg. */
  @IsOptional()
  @IsString()
  postgresUrl?: string;

  /**
   * The schema of the log's tables in PostgreSQL (MREG_POSTGRES_SCHEMA), created on first use when missing; one per
   * registry sharing a database.
   */
  @Matches(/^[a-z_][a-z0-9_]{0,55}$/, { message: 'must be a lower-case SQL name of at most 56 characters ([a-z_][a-z0-9_]*)' })
  postgresSchema = 'mreg';

  /** Event bus adapter (MREG_EVENT_BUS). */
  @IsIn(['in-process', 'kafka'])
  eventBus: 'in-process' | 'kafka' = 'in-process';

  /** Kafka bootstrap servers, comma separated (MREG_KAFKA_BROKERS). */
  @IsOptional()
  @IsString()
  kafkaBrokers?: string;

  /** Prefix for every topic and consumer group (MREG_KAFKA_NAMESPACE): several registries on one cluster. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/)
  kafkaNamespace?: string;

  /** Partitions of the topics mreg creates (MREG_KAFKA_PARTITIONS). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  kafkaPartitions = 3;

  /**
   * How long a consumer that stopped heartbeating (a crashed process) keeps its partitions before the group moves
   * them to the others or to its restarted successor (MREG_KAFKA_SESSION_TIMEOUT_MS). Heartbeats go at a third
   * of it, at most every 3 s. Lower is faster failover, higher tolerates longer pauses. 10 s (decision 31): kafkajs
   * has no static membership, so this is also how long a SIGKILLed service's successor waits for /ready.
   */
  @Type(() => Number)
  @IsInt()
  @Min(6000)
  @Max(300000)
  kafkaSessionTimeoutMs = 10000;

  /**
   * How long a relay's lease lasts without renewal (MREG_RELAY_LEASE_MS; decision 28): among replicas of a service,
   * the one holding it publishes the log; when it dies, another takes over within this time. Renewed at a third of it.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(300000)
  relayLeaseMs = 5000;

  /**
   * Secret: the key every webhook signing secret is derived from (MREG_WEBHOOK_SIGNING_KEY, 32+ characters; decision
   * 34), so that no secret is stored. Every replica must have the same one. Without it a key is generated and kept in
   * the data dir, which serves one process only.
   */
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(4096)
  webhookSigningKey?: string;

  /** Webhooks may target the loopback, over plain http too (MREG_WEBHOOK_ALLOW_HTTP_LOOPBACK): for tests on one machine. */
  @IsIn(['true', 'false'])
  webhookAllowHttpLoopback: 'true' | 'false' = 'false';

  /** Ranges webhooks may reach although private or reserved (MREG_WEBHOOK_ALLOWED_RANGES): comma-separated CIDRs. */
  @IsOptional()
  @IsString()
  @Satisfies('isCidrList', (list) => {
    const parsed = parseCidrList(list);
    return typeof parsed === 'string' ? parsed : undefined;
  })
  webhookAllowedRanges?: string;

  /** The first retry delay of a failed webhook delivery, doubled for each next one (MREG_WEBHOOK_RETRY_BASE_MS). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  webhookRetryBaseMs = 5000;

  /** The longest delay between two attempts of a webhook delivery (MREG_WEBHOOK_RETRY_MAX_DELAY_MS), default 6 h. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400_000)
  webhookRetryMaxDelayMs = 21_600_000;

  /** Attempts of one webhook delivery before it is given up (MREG_WEBHOOK_MAX_ATTEMPTS); never later than a day. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  webhookMaxAttempts = 16;

  /** How long one webhook attempt may take, connecting to the last byte read (MREG_WEBHOOK_TIMEOUT_MS). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  webhookTimeoutMs = 10_000;

  /** How often the delivering replica looks for due webhook deliveries (MREG_WEBHOOK_POLL_MS). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  webhookPollMs = 1000;

  /** Read model adapter (MREG_READ_STORE). */
  @IsIn(['sqlite', 'mongo'])
  readStore: 'sqlite' | 'mongo' = 'sqlite';

  /** Secret: MongoDB URL (MREG_MONGO_URL). */
  @IsOptional()
  @IsString()
  mongoUrl?: string;

  /** MongoDB database (MREG_MONGO_DB). */
  @IsString()
  @MinLength(1)
  mongoDatabase = 'mreg';

  /** Artifact storage adapter (MREG_ARTIFACT_STORAGE). */
  @IsIn(['fs', 's3'])
  artifactStorage: 'fs' | 's3' = 'fs';

  /** S3 endpoint for S3-compatible servers (MREG_S3_ENDPOINT); omit for AWS. */
  @IsOptional()
  @IsString()
  s3Endpoint?: string;

  @IsString()
  s3Region = 'us-east-1';

  @IsOptional()
  @IsString()
  s3Bucket?: string;

  /** Secret (MREG_S3_ACCESS_KEY). */
  @IsOptional()
  @IsString()
  s3AccessKey?: string;

  /** Secret (MREG_S3_SECRET_KEY). */
  @IsOptional()
  @IsString()
  s3SecretKey?: string;

  /**
   * The registry-wide default approval policy (MREG_DEFAULT_APPROVAL_POLICY), JSON shaped like a model's policy
   * (`{"production": {"requiredApprovals": 0, "approverRole": "approver"}, …}`; stages left out keep the built-in
   * rule). Applied when governance starts, as an event by `system:config`; models with their own policy keep it.
   */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  defaultApprovalPolicy?: string;

  /**
   * URI schemes a version's source and lineage may use (MREG_URI_SCHEMES), comma separated; default
   * s3, s3a, gs, hdfs, abfss, wasbs, https, http, git, git+https, git+ssh, ssh, runs, models, mlflow-artifacts.
   */
  @IsOptional()
  @IsString()
  @Satisfies('isUriSchemeList', (list) => {
    const parsed = parseUriSchemes(list);
    return typeof parsed === 'string' ? parsed : undefined;
  })
  uriSchemes?: string;

  /**
   * Browser origins other than the registry's own that may write (MREG_ALLOWED_ORIGINS), comma separated, e.g.
   * `https://console.example.com`. Writes carrying any other `Origin` are refused with 403.
   */
  @IsOptional()
  @IsString()
  @Matches(/^\s*https?:\/\/[^\s,/]+\/?\s*(,\s*https?:\/\/[^\s,/]+\/?\s*)*$/, { message: 'must be comma-separated origins such as https://console.example.com' })
  allowedOrigins?: string;

  /** Log level (MREG_LOG_LEVEL). */
  @IsIn(['error', 'warn', 'log', 'debug'])
  logLevel: 'error' | 'warn' | 'log' | 'debug' = 'warn';
}

const ENV_KEYS: Readonly<Record<keyof MregConfig, string>> = {
  port: 'PORT',
  host: 'MREG_HOST',
  dataDir: 'MREG_DATA_DIR',
  tokens: 'MREG_TOKENS',
  oidcIssuer: 'MREG_OIDC_ISSUER',
  oidcAudience: 'MREG_OIDC_AUDIENCE',
  oidcAlgorithms: 'MREG_OIDC_ALGORITHMS',
  oidcUserClaim: 'MREG_OIDC_USER_CLAIM',
  oidcGroupsClaim: 'MREG_OIDC_GROUPS_CLAIM',
  oidcRolesClaim: 'MREG_OIDC_ROLES_CLAIM',
  oidcGroupRoles: 'MREG_OIDC_GROUP_ROLES',
  oidcDefaultRole: 'MREG_OIDC_DEFAULT_ROLE',
  oidcClockSkewSeconds: 'MREG_OIDC_CLOCK_SKEW_SECONDS',
  oidcKeysCacheSeconds: 'MREG_OIDC_KEYS_CACHE_SECONDS',
  oidcKeysMinRefreshSeconds: 'MREG_OIDC_KEYS_MIN_REFRESH_SECONDS',
  oidcConsoleClientId: 'MREG_OIDC_CONSOLE_CLIENT_ID',
  oidcConsoleClientSecret: 'MREG_OIDC_CONSOLE_CLIENT_SECRET',
  oidcConsoleScope: 'MREG_OIDC_CONSOLE_SCOPE',
  oidcConsoleResource: 'MREG_OIDC_CONSOLE_RESOURCE',
  maxJsonBytes: 'MREG_MAX_JSON_BYTES',
  maxArtifactBytes: 'MREG_MAX_ARTIFACT_BYTES',
  consistencyTimeoutMs: 'MREG_CONSISTENCY_TIMEOUT_MS',
  logLevel: 'MREG_LOG_LEVEL',
  defaultApprovalPolicy: 'MREG_DEFAULT_APPROVAL_POLICY',
  uriSchemes: 'MREG_URI_SCHEMES',
  queryBudgetMs: 'MREG_QUERY_BUDGET_MS',
  maxRequestsPerPrincipal: 'MREG_MAX_REQUESTS_PER_PRINCIPAL',
  maxCostlyReadsPerPrincipal: 'MREG_MAX_COSTLY_READS_PER_PRINCIPAL',
  authFailuresPerMinute: 'MREG_AUTH_FAILURES_PER_MINUTE',
  maxQueuedReads: 'MREG_MAX_QUEUED_READS',
  queryWorkers: 'MREG_QUERY_WORKERS',
  allowedOrigins: 'MREG_ALLOWED_ORIGINS',
  modelVisibility: 'MREG_MODEL_VISIBILITY',
  eventStore: 'MREG_EVENT_STORE',
  eventStorePath: 'MREG_EVENT_STORE_PATH',
  kurrentdbUrl: 'MREG_KURRENTDB_URL',
  postgresUrl: 'MREG_POSTGRES_URL',
  postgresSchema: 'MREG_POSTGRES_SCHEMA',
  eventBus: 'MREG_EVENT_BUS',
  kafkaBrokers: 'MREG_KAFKA_BROKERS',
  kafkaPartitions: 'MREG_KAFKA_PARTITIONS',
  kafkaNamespace: 'MREG_KAFKA_NAMESPACE',
  kafkaSessionTimeoutMs: 'MREG_KAFKA_SESSION_TIMEOUT_MS',
  relayLeaseMs: 'MREG_RELAY_LEASE_MS',
  webhookSigningKey: 'MREG_WEBHOOK_SIGNING_KEY',
  webhookAllowHttpLoopback: 'MREG_WEBHOOK_ALLOW_HTTP_LOOPBACK',
  webhookAllowedRanges: 'MREG_WEBHOOK_ALLOWED_RANGES',
  webhookRetryBaseMs: 'MREG_WEBHOOK_RETRY_BASE_MS',
  webhookRetryMaxDelayMs: 'MREG_WEBHOOK_RETRY_MAX_DELAY_MS',
  webhookMaxAttempts: 'MREG_WEBHOOK_MAX_ATTEMPTS',
  webhookTimeoutMs: 'MREG_WEBHOOK_TIMEOUT_MS',
  webhookPollMs: 'MREG_WEBHOOK_POLL_MS',
  readStore: 'MREG_READ_STORE',
  mongoUrl: 'MREG_MONGO_URL',
  mongoDatabase: 'MREG_MONGO_DB',
  artifactStorage: 'MREG_ARTIFACT_STORAGE',
  s3Endpoint: 'MREG_S3_ENDPOINT',
  s3Region: 'MREG_S3_REGION',
  s3Bucket: 'MREG_S3_BUCKET',
  s3AccessKey: 'MREG_S3_ACCESS_KEY',
  s3SecretKey: 'MREG_S3_SECRET_KEY',
};

const REQUIRED_WITH: readonly [keyof MregConfig, string, keyof MregConfig][] = [
  ['eventStore', 'kurrentdb', 'kurrentdbUrl'],
  ['eventStore', 'postgres', 'postgresUrl'],
  ['eventBus', 'kafka', 'kafkaBrokers'],
  ['readStore', 'mongo', 'mongoUrl'],
  ['artifactStorage', 's3', 's3Bucket'],
];

/** Reads and validates the configuration; throws one error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<MregConfig> = {}): MregConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(MregConfig, { ...raw, ...overrides });
  const errors = validateSync(config, { forbidUnknownValues: true });
  const lines = errors.map((e) => `${ENV_KEYS[e.property as keyof MregConfig]}: ${Object.values(e.constraints ?? {}).join(', ')}`);
  for (const [key, value, needs] of REQUIRED_WITH) {
    if (config[key] === value && !config[needs]) lines.push(`${ENV_KEYS[needs]}: required when ${ENV_KEYS[key]}=${value}`);
  }
  if (config.oidcIssuer !== undefined && config.oidcAudience === undefined) lines.push(`${ENV_KEYS.oidcAudience}: required with ${ENV_KEYS.oidcIssuer} (the audience its tokens must name)`);
  if (config.oidcIssuer === undefined && config.oidcConsoleClientId !== undefined) lines.push(`${ENV_KEYS.oidcConsoleClientId}: needs ${ENV_KEYS.oidcIssuer} (the provider the console signs in with)`);
  if (lines.length > 0) {
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return config;
}

/** The URI schemes configured (MREG_URI_SCHEMES), or the default list. */
export function uriSchemesOf(config: MregConfig): readonly string[] {
  const parsed = config.uriSchemes === undefined ? DEFAULT_URI_SCHEMES : parseUriSchemes(config.uriSchemes);
  return typeof parsed === 'string' ? DEFAULT_URI_SCHEMES : parsed;
}

/** The browser origins allowed to write besides the registry's own (MREG_ALLOWED_ORIGINS). */
export function allowedOriginsOf(config: MregConfig): readonly string[] {
  return (config.allowedOrigins ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}
