import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { RegistryClient, WEBHOOK_TEST_ENV, WebhookReceiver, castTarget, castTokensJson, expectError, expectStatus, uniqueName } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// Webhooks on the all-in-one server beyond the shared scenario (which runs with the loopback allowed): a registry as
// shipped refuses the loopback in every spelling, and a pending retry survives a restart with its webhook-id.

const WEBHOOKS = '/api/v1/webhooks';
const TAG_SET = 'io.mreg.registration.ModelTagSet.v1';

describe('webhooks on a registry as shipped (no loopback, no allow-list)', () => {
  let dataDir = '';
  let registry: StartedRegistry | undefined;
  let admin: RegistryClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-webhooks-'));
    registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
    admin = new RegistryClient(castTarget(registry.url)).as('admin');
  });
  afterAll(async () => {
    await registry?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'https://127.0.0.1/hook',
    'https://127.0.0.2/hook',
    'https://2130706433/hook',
    'https://0x7f000001/hook',
    'https://0x7f.0.0.1/hook',
    'https://0177.0.0.1/hook',
    'https://127.1/hook',
    'https://[::1]/hook',
    'https://[0:0:0:0:0:0:0:1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:7f00:1]/hook',
    'https://[::127.0.0.1]/hook',
    'https://localhost/hook',
    'https://hooks.localhost/hook',
    'https://0.0.0.0/hook',
    'https://[::]/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://[64:ff9b::7f00:1]/hook',
    'https://[2002:7f00:1::]/hook',
  ])('refuses %s (400) and stores nothing', async (url) => {
    expectError(await admin.post(WEBHOOKS, { url, eventTypes: [TAG_SET] }), 400, 'INVALID_ARGUMENT');
    const listed = await admin.get<{ items: unknown[] }>(WEBHOOKS);
    expectStatus(listed, 200);
    expect(listed.body.items).toEqual([]);
  });
});

describe('webhook retries across a restart', () => {
  let dataDir = '';
  let registry: StartedRegistry | undefined;
  let receiver: WebhookReceiver;
  const start = async () => {
    // Retries one to two seconds apart: the restart happens between the first attempt and the second.
    registry = await startRegistry(
      loadConfig({ ...WEBHOOK_TEST_ENV, MREG_WEBHOOK_RETRY_BASE_MS: '2000', MREG_WEBHOOK_RETRY_MAX_DELAY_MS: '2000', MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }),
    );
    return new RegistryClient(castTarget(registry.url)).as('alice');
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-webhooks-restart-'));
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await registry?.app.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a pending retry after a restart, with the same webhook-id', async () => {
    let alice = await start();
    const name = uniqueName('restart-hook');
    expectStatus(await alice.post('/api/v1/models', { name }), 201);
    const path = `/${uniqueName('later')}`;
    expectStatus(await alice.post(WEBHOOKS, { url: receiver.url(path, [503, 200]), eventTypes: [TAG_SET], model: name }), 201);
    expectStatus(await alice.put(`/api/v1/models/${name}/tags/team`, { value: 'risk' }), 200);
    const [first] = await receiver.waitFor(path, 1);
    await registry?.app.close();

    alice = await start();
    const [, second] = await receiver.waitFor(path, 2);
    expect(second?.status).toBe(200);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.body).toBe(first?.body);
  });
});
