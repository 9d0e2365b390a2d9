import { BlockList } from 'node:net';
import type { WebhookEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { signingGenerations, webhookSubscriptionDecider, webhookUrlProblem } from './webhook-subscription.decider';
import type { WebhookCommand, WebhookTargetPolicy } from './webhook-subscription.decider';

const spec = deciderSpec(webhookSubscriptionDecider);
const subscriptionId = '7d0c7bc4-0d3f-4c39-8f0f-2b1d1b0e5a11';
const scopeModelId = '0b5c9a57-0000-4000-8000-000000000001';
const VERSION_CREATED = 'io.mreg.registration.ModelVersionCreated.v1';
const STAGE_CHANGED = 'io.mreg.registration.ModelVersionStageChanged.v1';
const settings = { url: 'https://hooks.example.com/mreg', eventTypes: [VERSION_CREATED], description: 'deploy' };
const subscribed: WebhookEvent = { type: 'WebhookSubscribed', data: { subscriptionId, scopeModelId, ...settings, enabled: true, secretGeneration: 1 } };
const create = (eventTypes: readonly string[] = settings.eventTypes): WebhookCommand => ({ type: 'CreateWebhook', data: { subscriptionId, scopeModelId, settings: { ...settings, eventTypes }, enabled: true } });

describe('webhook subscriptions', () => {
  it('are created with the first secret generation, for one model or (without one) the whole registry', () => {
    spec.given([]).when(create()).then([subscribed]);
    spec
      .given([])
      .when({ type: 'CreateWebhook', data: { subscriptionId, settings, enabled: false } })
      .then([{ type: 'WebhookSubscribed', data: { subscriptionId, ...settings, enabled: false, secretGeneration: 1 } }]);
  });

  it('take only public event types, each once, at least one', () => {
    spec
      .given([])
      .when(create([]))
      .thenThrows('INVALID_ARGUMENT', /at least one/);
    spec
      .given([])
      .when(create(['io.mreg.registration.NoSuchThing.v1']))
      .thenThrows('INVALID_ARGUMENT', /not a public event type/);
    spec
      .given([])
      .when(create([VERSION_CREATED, VERSION_CREATED]))
      .thenThrows('INVALID_ARGUMENT', /twice/);
    spec.given([subscribed]).when(create()).thenThrows('ALREADY_EXISTS');
  });

  it('change what a manager names, and record nothing for a change to what is already so', () => {
    spec
      .given([subscribed])
      .when({ type: 'ChangeWebhook', data: { settings: { eventTypes: [VERSION_CREATED, STAGE_CHANGED] }, enabled: false } })
      .then([
        { type: 'WebhookSubscriptionChanged', data: { subscriptionId, scopeModelId, ...settings, eventTypes: [VERSION_CREATED, STAGE_CHANGED] } },
        { type: 'WebhookDisabled', data: { subscriptionId, scopeModelId, reason: 'requested', detail: 'disabled by a manager' } },
      ]);
    spec
      .given([subscribed])
      .when({ type: 'ChangeWebhook', data: { settings: { url: settings.url }, enabled: true } })
      .then([]);
  });

  it('rotate the secret keeping the previous generation valid until the overlap ends', () => {
    spec
      .given([subscribed])
      .when({ type: 'RotateWebhookSecret', data: { now: '2026-01-01T00:00:00.000Z', overlapMs: 86_400_000 } })
      .then([{ type: 'WebhookSecretRotated', data: { subscriptionId, scopeModelId, generation: 2, previousGeneration: 1, previousExpiresAt: '2026-01-02T00:00:00.000Z' } }]);
    const state = { secretGeneration: 3, previousSecretGeneration: 2, previousSecretExpiresAt: '2026-01-02T00:00:00.000Z' };
    expect(signingGenerations(state, new Date('2026-01-01T12:00:00Z'))).toEqual([3, 2]);
    expect(signingGenerations(state, new Date('2026-01-02T00:00:00Z'))).toEqual([3]);
  });

  it('are disabled once for failing, never when already disabled or deleted; a deleted one is not found', () => {
    const failing: WebhookCommand = { type: 'DisableFailingWebhook', data: { detail: 'msg_x failed 16 attempts' } };
    spec
      .given([subscribed])
      .when(failing)
      .then([{ type: 'WebhookDisabled', data: { subscriptionId, scopeModelId, reason: 'failing', detail: 'msg_x failed 16 attempts' } }]);
    spec
      .given([subscribed, { type: 'WebhookDisabled', data: { subscriptionId, scopeModelId, reason: 'failing', detail: 'x' } }])
      .when(failing)
      .then([]);
    const deleted: WebhookEvent = { type: 'WebhookDeleted', data: { subscriptionId, scopeModelId } };
    spec.given([subscribed, deleted]).when(failing).then([]);
    spec.given([subscribed, deleted]).when({ type: 'DeleteWebhook', data: {} }).thenThrows('NOT_FOUND');
    spec
      .given([])
      .when({ type: 'ChangeWebhook', data: { settings: {} } })
      .thenThrows('NOT_FOUND');
  });
});

describe('webhook targets', () => {
  const strict: WebhookTargetPolicy = { allowLoopback: false, allowed: new BlockList() };
  const tests: WebhookTargetPolicy = { allowLoopback: true, allowed: new BlockList() };

  it.each([
    'http://hooks.example.com/',
    'ftp://hooks.example.com/',
    'https://user:pass@hooks.example.com/',
    'https://user@hooks.example.com/',
    'https://hooks.example.com/#x',
    'https://localhost/',
    'https://api.localhost/',
    'https://127.0.0.1/',
    'https://2130706433/',
    'https://0x7f000001/',
    'https://0x7f.0.0.1/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://0.0.0.0/',
    'https://10.0.0.1/',
    'https://167772161/',
    'https://192.168.1.1/',
    'https://172.16.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://2852039166/',
    'https://0xa9fea9fe/',
    'https://0251.0376.0251.0376/',
    'https://[::ffff:169.254.169.254]/',
    'https://[fd00:ec2::254]/',
    'https://[fe80::1]/',
    'https://100.100.100.200/',
    'https://[64:ff9b::7f00:1]/',
    'not a url',
  ])('refuses %s', (url) => {
    expect(webhookUrlProblem(url, strict)).toEqual(expect.any(String));
  });

  it('takes https to public hosts and addresses', () => {
    expect(webhookUrlProblem('https://hooks.example.com/mreg?team=risk', strict)).toBeUndefined();
    expect(webhookUrlProblem('https://8.8.8.8:8443/', strict)).toBeUndefined();
    expect(webhookUrlProblem('https://[2606:4700:4700::1111]/', strict)).toBeUndefined();
  });

  it('takes the loopback, over http too, only where an admin allows it, and nothing else besides', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', tests)).toBeUndefined();
    expect(webhookUrlProblem('http://[::1]:8080/hook', tests)).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:8080/hook', tests)).toBeUndefined();
    expect(webhookUrlProblem('http://10.0.0.1/hook', tests)).toMatch(/https/);
    expect(webhookUrlProblem('https://10.0.0.1/hook', tests)).toMatch(/private/);
    expect(webhookUrlProblem('http://hooks.example.com/', tests)).toMatch(/https/);
    const allowed = new BlockList();
    allowed.addSubnet('10.1.0.0', 16, 'ipv4');
    expect(webhookUrlProblem('https://10.1.2.3/hook', { allowLoopback: false, allowed })).toBeUndefined();
    expect(webhookUrlProblem('https://10.2.0.1/hook', { allowLoopback: false, allowed })).toMatch(/private/);
  });
});
