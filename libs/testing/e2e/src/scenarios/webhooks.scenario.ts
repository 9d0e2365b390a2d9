import { verifyWebhook } from '@mreg/shared/util';
import type { WebhookSignatureHeaders } from '@mreg/shared/util';
import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { Json, RegistryClient } from '../registry-client';
import { API, createModel, expectError, expectStatus, modelPath } from '../fixtures';
import { WebhookReceiver } from '../webhook-receiver';
import type { ReceivedWebhook } from '../webhook-receiver';

// Webhooks (decision 34): a model's managers (or, for the whole registry, an admin) subscribe a URL to public event
// types; every delivery is a CloudEvent signed by the Standard Webhooks scheme, retried with the same webhook-id,
// logged, and the subscription disabled after persistent failure. Registries running this list allow the loopback
// (MREG_WEBHOOK_ALLOW_HTTP_LOOPBACK) and retry fast (WEBHOOK_TEST_ENV); the receiver is a real HTTP server here.

const WEBHOOKS = `${API}/webhooks`;
const DESCRIPTION_CHANGED = 'io.mreg.registration.ModelDescriptionChanged.v1';
const TAG_SET = 'io.mreg.registration.ModelTagSet.v1';

interface WebhookBody {
  id: string;
  model: string | null;
  modelId: string | null;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabled: { reason: string; detail: string } | null;
  secretGeneration: number;
  previousSecretExpiresAt: string | null;
  secret?: string;
}
interface AttemptBody {
  number: number;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
}
interface DeliveryBody {
  id: string;
  eventId: string | null;
  eventType: string;
  status: string;
  attempts: number;
  recentAttempts: AttemptBody[];
}
interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

const signatureHeaders = (r: ReceivedWebhook): WebhookSignatureHeaders => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});
const verifies = (r: ReceivedWebhook, secret: string) => verifyWebhook(signatureHeaders(r), r.body, secret, Date.now() / 1000);

/** Polls a read (bounded) until `done` holds for what it returns. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

scenario('webhooks: signed deliveries of public events, retried with one webhook-id, logged, disabled after persistent failure', (client) => {
  const alice = () => client().as('alice'); // contributor: manages the models she registers
  const dave = () => client().as('dave'); // approver and contributor, no grant on alice's models
  const carol = () => client().as('carol'); // reader
  const admin = () => client().as('admin');
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  const subscribe = async (c: RegistryClient, body: Json): Promise<WebhookBody> => {
    const reply = await c.post<WebhookBody>(WEBHOOKS, body);
    expectStatus(reply, 201);
    return reply.body;
  };
  const describeModel = async (name: string, description: string) => expectStatus(await alice().patch(modelPath(name), { description }), 200);
  const deliveriesOf = async (c: RegistryClient, id: string) => {
    const reply = await c.get<Page<DeliveryBody>>(`${WEBHOOKS}/${id}/deliveries`);
    expectStatus(reply, 200);
    return reply.body.items;
  };

  it("delivers a model's event to its manager's URL: three failures then success are four attempts with one webhook-id, each signed", async () => {
    const name = uniqueName('hooked');
    const model = await createModel(alice(), name);
    const path = `/${uniqueName('flaky')}`;
    const webhook = await subscribe(alice(), { url: receiver.url(path, [500, 503, 502, 204]), eventTypes: [DESCRIPTION_CHANGED], model: name, description: 'redeploy' });
    expect(webhook).toMatchObject({ model: name, modelId: model['id'], eventTypes: [DESCRIPTION_CHANGED], enabled: true, disabled: null, secretGeneration: 1, previousSecretExpiresAt: null });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    await describeModel(name, 'now with webhooks');
    const requests = await receiver.waitFor(path, 4);
    expect(requests.map((r) => r.status)).toEqual([500, 503, 502, 204]);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const r of requests) expect(verifies(r, webhook.secret ?? '')).toBe(true);
    expect(requests[0]?.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const event = JSON.parse(requests[0]?.body ?? '{}') as Json;
    expect(event).toMatchObject({ specversion: '1.0', type: DESCRIPTION_CHANGED, source: '/mreg/registration', subject: `model-${String(model['id'])}`, actor: 'alice', data: { modelId: model['id'], description: 'now with webhooks' } });

    const [delivery] = await eventually(
      () => deliveriesOf(alice(), webhook.id),
      (items) => items[0]?.status === 'delivered',
    );
    expect(delivery).toMatchObject({ id: requests[0]?.headers['webhook-id'], eventId: event['id'], eventType: DESCRIPTION_CHANGED, status: 'delivered', attempts: 4 });
    expect(delivery?.recentAttempts.map((a) => a.statusCode)).toEqual([500, 503, 502, 204]);
    expect(delivery?.recentAttempts[0]?.responseExcerpt).toBe('not now (500)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requestsTo(path)).toHaveLength(4);
  });

  it('pings on request, redelivers a delivery with the same webhook-id, and signs with both secrets while one is rotated', async () => {
    const name = uniqueName('hooked');
    await createModel(alice(), name);
    const path = `/${uniqueName('ok')}`;
    const webhook = await subscribe(alice(), { url: receiver.url(path), eventTypes: [TAG_SET], model: name });

    const ping = await alice().post<DeliveryBody>(`${WEBHOOKS}/${webhook.id}/ping`);
    expectStatus(ping, 202);
    expect(ping.body).toMatchObject({ eventType: 'io.mreg.governance.WebhookPing.v1', eventId: null, status: 'pending' });
    const [pinged] = await receiver.waitFor(path, 1);
    expect(pinged?.headers['webhook-id']).toBe(ping.body.id);
    expect(JSON.parse(pinged?.body ?? '{}')).toMatchObject({ type: 'io.mreg.governance.WebhookPing.v1', data: { subscriptionId: webhook.id } });
    expect(verifies(pinged, webhook.secret ?? '')).toBe(true);

    // Once the log has the ping as delivered (a pending delivery is already on its way: redelivering it is a no-op).
    await eventually(
      () => alice().get<DeliveryBody>(`${WEBHOOKS}/${webhook.id}/deliveries/${ping.body.id}`),
      (reply) => reply.status === 200 && reply.body.status === 'delivered',
    );
    const redelivered = await eventually(
      () => alice().post<DeliveryBody>(`${WEBHOOKS}/${webhook.id}/deliveries/${ping.body.id}/redeliver`),
      (reply) => reply.status === 202 && reply.body.status === 'pending',
    );
    expectStatus(redelivered, 202);
    const again = await receiver.waitFor(path, 2);
    expect(again[1]?.headers['webhook-id']).toBe(ping.body.id);

    const rotated = await alice().post<WebhookBody>(`${WEBHOOKS}/${webhook.id}/rotate-secret`);
    expectStatus(rotated, 200);
    expect(rotated.body).toMatchObject({ secretGeneration: 2, previousSecretExpiresAt: expect.any(String) });
    expect(rotated.body.secret).not.toBe(webhook.secret);
    expectStatus(await alice().put(`${modelPath(name)}/tags/team`, { value: 'risk' }), 200);
    const [, , tagged] = await receiver.waitFor(path, 3);
    expect(String(tagged?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(tagged, rotated.body.secret ?? '')).toBe(true);
    expect(verifies(tagged, webhook.secret ?? '')).toBe(true);
  });

  it('disables a subscription whose every attempt failed, with an event, and delivers nothing more until enabled', async () => {
    const name = uniqueName('hooked');
    await createModel(alice(), name);
    const path = `/${uniqueName('down')}`;
    const webhook = await subscribe(alice(), { url: receiver.url(path, [503]), eventTypes: [DESCRIPTION_CHANGED], model: name });
    await describeModel(name, 'nobody listens');
    const disabled = await eventually(
      () => alice().get<WebhookBody>(`${WEBHOOKS}/${webhook.id}`),
      (reply) => reply.body.enabled === false,
    );
    expect(disabled.body).toMatchObject({ enabled: false, disabled: { reason: 'failing', detail: expect.stringContaining('failed 5 attempts') } });
    const [delivery] = await deliveriesOf(alice(), webhook.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 5 });
    expect(receiver.requestsTo(path)).toHaveLength(5);

    expectError(await alice().post(`${WEBHOOKS}/${webhook.id}/ping`), 409, 'FAILED_PRECONDITION');
    await describeModel(name, 'still nobody');
    const enabled = await alice().patch<WebhookBody>(`${WEBHOOKS}/${webhook.id}`, { enabled: true, url: receiver.url(path, [200]) });
    expectStatus(enabled, 200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled: null });
    await describeModel(name, 'listening again');
    const [, , , , , sixth] = await receiver.waitFor(path, 6);
    expect(JSON.parse(sixth?.body ?? '{}')).toMatchObject({ data: { description: 'listening again' } });
  });

  it.each([
    'https://10.0.0.1/hook',
    'https://167772161/hook',
    'https://0x0a000001/hook',
    'https://012.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://2852039166/',
    'https://0xa9fea9fe/',
    'https://0251.0376.0251.0376/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[fd00:ec2::254]/',
    'https://192.168.0.1/',
    'https://[fe80::1]/',
    'https://100.100.100.200/',
    'https://0.0.0.0/',
    'http://hooks.example.com/',
    'https://user:secret@hooks.example.com/',
    'ftp://hooks.example.com/',
  ])('refuses %s as a target (400), and stores nothing', async (url) => {
    const name = uniqueName('hooked');
    await createModel(alice(), name);
    expectError(await alice().post(WEBHOOKS, { url, eventTypes: [TAG_SET], model: name }), 400, 'INVALID_ARGUMENT');
    const listed = await alice().get<Page<WebhookBody>>(`${WEBHOOKS}?model=${name}`);
    expectStatus(listed, 200);
    expect(listed.body.items).toEqual([]);
  });

  it("keeps subscriptions to those who manage: a model's to its managers, the registry's to admins", async () => {
    const name = uniqueName('hooked');
    await createModel(alice(), name);
    const body = { url: 'https://hooks.example.com/mreg', eventTypes: [TAG_SET], model: name };
    expectError(await dave().post(WEBHOOKS, body), 403, 'PERMISSION_DENIED');
    expectError(await carol().post(WEBHOOKS, body), 403, 'PERMISSION_DENIED');
    expectError(await alice().post(WEBHOOKS, { url: body.url, eventTypes: [TAG_SET] }), 403, 'PERMISSION_DENIED');
    expectError(await alice().post(WEBHOOKS, { ...body, eventTypes: ['io.mreg.registration.NoSuchEvent.v1'] }), 400, 'INVALID_ARGUMENT');
    expectError(await alice().post(WEBHOOKS, { ...body, eventTypes: [] }), 400, 'INVALID_ARGUMENT');

    const mine = await subscribe(alice(), body);
    const registryWide = await subscribe(admin(), { url: body.url, eventTypes: [TAG_SET] });
    expect(registryWide).toMatchObject({ model: null, modelId: null });
    // dave may read the model (visible to the registry), not manage it; a registry-wide subscription is not there for alice.
    expectError(await dave().get(`${WEBHOOKS}/${mine.id}`), 403, 'PERMISSION_DENIED');
    expectError(await dave().patch(`${WEBHOOKS}/${mine.id}`, { enabled: false }), 403, 'PERMISSION_DENIED');
    expectError(await alice().get(`${WEBHOOKS}/${registryWide.id}`), 404, 'NOT_FOUND');
    expectStatus(await admin().get(`${WEBHOOKS}/${mine.id}`), 200);
    const listed = await admin().get<Page<WebhookBody>>(WEBHOOKS);
    expect(listed.body.items.map((w) => w.id)).toContain(registryWide.id);
    expect(listed.body.items.map((w) => w.id)).not.toContain(mine.id);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const changed = await alice().patch<WebhookBody>(`${WEBHOOKS}/${mine.id}`, { eventTypes: [TAG_SET, DESCRIPTION_CHANGED], description: 'two types' });
    expectStatus(changed, 200);
    expect(changed.body).toMatchObject({ eventTypes: [TAG_SET, DESCRIPTION_CHANGED], description: 'two types', enabled: true });
    expectError(await alice().patch(`${WEBHOOKS}/${mine.id}`, { url: 'https://169.254.169.254/' }), 400, 'INVALID_ARGUMENT');
    expectStatus(await alice().delete(`${WEBHOOKS}/${mine.id}`), 204);
    expectError(await alice().get(`${WEBHOOKS}/${mine.id}`), 404, 'NOT_FOUND');
    expectStatus(await admin().delete(`${WEBHOOKS}/${registryWide.id}`), 204);
  });
});
