import 'reflect-metadata';
import { runReplayCommand } from './replay-command';

// `npm run replay [-- --drop] [--limit N]`: see replay-command.ts. Configured like the server (MREG_* env).
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a, i) => a !== '--drop' && a !== '--limit' && args[i - 1] !== '--limit');
  const limitAt = args.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : undefined;
  if (unknown.length > 0 || (limit !== undefined && !(Number.isInteger(limit) && limit >= 0))) {
    process.stderr.write('usage: npm run replay -- [--drop] [--limit N]\n');
    return 2;
  }
  const { equal, summary } = await runReplayCommand(process.env, { drop: args.includes('--drop'), ...(limit !== undefined ? { limit } : {}) });
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return equal ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
