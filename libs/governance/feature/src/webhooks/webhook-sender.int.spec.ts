import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { BlockList } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { WebhookTargetPolicy } from '@mreg/governance/domain';
import { postWebhook, resolveChecked } from './webhook-sender';

// The sender against a real HTTP server and the machine's resolver: names are resolved once, every address judged,
// the connection made to the address checked; no redirect followed; the time and the answer read are bounded.
describe('webhook sender', () => {
  const strict: WebhookTargetPolicy = { allowLoopback: false, allowed: new BlockList() };
  const loopback: WebhookTargetPolicy = { allowLoopback: true, allowed: new BlockList() };
  const requests: string[] = [];
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/redirect') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
      if (req.url === '/silent') return; // never answers
      if (req.url === '/large') return void res.writeHead(200).end('x'.repeat(200_000));
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a name whose addresses are the loopback unless the loopback is allowed, and then gives a checked address', async () => {
    await expect(resolveChecked('localhost', strict)).rejects.toThrow(/localhost resolves to .* refused range/);
    expect(['127.0.0.1', '::1']).toContain(await resolveChecked('localhost', loopback));
  });

  it('refuses a literal in a refused range before connecting', async () => {
    const report = await postWebhook(`https://169.254.169.254/latest`, '{}', {}, loopback, 1000);
    expect(report.outcome).toEqual({ error: expect.stringMatching(/refused range/) });
    expect(report.address).toBeUndefined();
  });

  it('posts to the address it checked, and reports the status', async () => {
    const report = await postWebhook(`http://127.0.0.1:${port}/ok`, '{"a":1}', { 'webhook-id': 'msg_1' }, loopback, 5000);
    expect(report).toMatchObject({ outcome: { status: 204 }, address: '127.0.0.1' });
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const before = requests.length;
    const report = await postWebhook(`http://127.0.0.1:${port}/redirect`, '{}', {}, loopback, 5000);
    expect(report.outcome).toEqual({ status: 302 });
    expect(requests.slice(before)).toEqual(['/redirect']);
  });

  it('gives up on a receiver that does not answer in time, and keeps only the start of a large answer', async () => {
    expect((await postWebhook(`http://127.0.0.1:${port}/silent`, '{}', {}, loopback, 300)).outcome).toEqual({ error: 'no answer within 300 ms' });
    const large = await postWebhook(`http://127.0.0.1:${port}/large`, '{}', {}, loopback, 5000);
    expect(large.outcome).toEqual({ status: 200 });
    expect(large.responseExcerpt).toHaveLength(1024);
  });
});
