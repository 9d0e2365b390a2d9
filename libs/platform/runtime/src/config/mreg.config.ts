import { Type, plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';

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

  /** How long a write waits for its read models before answering (MREG_CONSISTENCY_TIMEOUT_MS). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60000)
  consistencyTimeoutMs = 5000;

  /** Log level (MREG_LOG_LEVEL). */
  @IsIn(['error', 'warn', 'log', 'debug'])
  logLevel: 'error' | 'warn' | 'log' | 'debug' = 'warn';
}

const ENV_KEYS: Readonly<Record<keyof MregConfig, string>> = {
  port: 'PORT',
  host: 'MREG_HOST',
  dataDir: 'MREG_DATA_DIR',
  tokens: 'MREG_TOKENS',
  maxJsonBytes: 'MREG_MAX_JSON_BYTES',
  maxArtifactBytes: 'MREG_MAX_ARTIFACT_BYTES',
  consistencyTimeoutMs: 'MREG_CONSISTENCY_TIMEOUT_MS',
  logLevel: 'MREG_LOG_LEVEL',
};

/** Reads and validates the configuration; throws one error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<MregConfig> = {}): MregConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(MregConfig, { ...raw, ...overrides });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${ENV_KEYS[e.property as keyof MregConfig]}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return config;
}
