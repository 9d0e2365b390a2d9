import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MregConfig } from '../config/mreg.config';
import { TokenRegistry } from './token-registry';

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
