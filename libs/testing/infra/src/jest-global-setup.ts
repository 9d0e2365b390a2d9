import { resolveServer } from './servers';
import type { ServerName } from './servers';

/** Jest global setup (int and e2e projects): find or start the real servers once per run. */
export default function globalSetup(): void {
  const startScripts = process.env['MREG_START_SERVERS'] !== '0';
  for (const name of ['kafka', 'mongo', 's3', 'postgres', 'kurrentdb'] as ServerName[]) resolveServer(name, { startScripts });
}
