import type { ArgumentsHost } from '@nestjs/common';
import { DomainError } from '@mreg/shared/contracts';
import { ErrorEnvelopeFilter } from './error-envelope.filter';
import { WritePending, readAfterWrite } from './write-pending';

describe('read after write', () => {
  it('answers the resource when the read models have it', async () => {
    await expect(readAfterWrite(() => Promise.resolve({ id: 'm1' }), { id: 'm1' })).resolves.toEqual({ id: 'm1' });
  });

  it('turns a lagging read model (NOT_FOUND) into a pending write, never a 404', async () => {
    await expect(readAfterWrite(() => Promise.reject(new DomainError('NOT_FOUND', 'version 3 not found')), { version: 3 })).rejects.toBeInstanceOf(WritePending);
  });

  it('passes other errors through', async () => {
    await expect(readAfterWrite(() => Promise.reject(new DomainError('CONFLICT', 'x')), {})).rejects.toBeInstanceOf(DomainError);
  });

  it('is answered 202 Accepted with the identity and the pending header', () => {
    const headers: Record<string, string> = {};
    let status = 0;
    let body: unknown;
    const response = {
      headersSent: false,
      setHeader: (k: string, v: string) => (headers[k] = v),
      status: (s: number) => {
        status = s;
        return response;
      },
      json: (b: unknown) => (body = b),
    };
    const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
    new ErrorEnvelopeFilter().catch(new WritePending({ modelId: 'm1', version: 3 }), host);
    expect(status).toBe(202);
    expect(headers['X-Mreg-Consistency-Pending']).toBe('true');
    expect(body).toMatchObject({ status: 'pending', modelId: 'm1', version: 3 });
  });
});
