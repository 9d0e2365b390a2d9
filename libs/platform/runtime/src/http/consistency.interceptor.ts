import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, from, mergeMap } from 'rxjs';
import { Consistency, decodeConsistencyToken, encodeConsistencyToken, trackWrites } from '../projection/consistency';
import type { WrittenRevision } from '../projection/consistency';

export const CONSISTENCY_HEADER = 'x-mreg-consistency';

/**
 * Read-your-writes (docs/design.md §4): a write answers only after the read models have applied it (bounded
 * wait) and returns a consistency token; a read presenting a token waits until the read models reach it.
 */
@Injectable()
export class ConsistencyInterceptor implements NestInterceptor {
  constructor(private readonly consistency: Consistency) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const presented = request.headers[CONSISTENCY_HEADER];
    const readAfter: WrittenRevision[] = typeof presented === 'string' && presented.length > 0 ? decodeConsistencyToken(presented) : [];
    const waitForPresented = async () => {
      await this.consistency.verifyPresented(readAfter);
      await this.consistency.waitFor(readAfter);
    };
    return from(waitForPresented()).pipe(
      mergeMap(() => {
        let writes: WrittenRevision[] = [];
        const result = new Observable<unknown>((subscriber) => {
          const tracked = trackWrites(() => next.handle().subscribe(subscriber));
          writes = tracked.writes;
          return tracked.result;
        });
        return result.pipe(
          mergeMap(async (value) => {
            if (writes.length > 0) {
              const caughtUp = await this.consistency.waitFor(writes);
              if (!response.headersSent) {
                response.setHeader('X-Mreg-Consistency', encodeConsistencyToken(writes));
                if (!caughtUp) response.setHeader('X-Mreg-Consistency-Pending', 'true');
              }
            }
            return value;
          }),
        );
      }),
    );
  }
}
