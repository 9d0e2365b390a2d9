import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { Public } from '../auth/roles.decorator';
import { ApiError } from './api-error';
import { ApiErrorResponses } from './api-error.response';

const PROBE_TIMEOUT_MS = 2000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref()),
  ]);
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

export class ReadyResponse {
  @ApiProperty({ enum: ['ready'], example: 'ready' })
  status!: 'ready';
}

/** Liveness (`/health`: the process answers) and readiness (`/ready`: the log and the read models answer). */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'The process is alive', type: HealthResponse })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: the event store and the read store answer' })
  @ApiOkResponse({ description: 'Ready to serve', type: ReadyResponse })
  @ApiErrorResponses(503)
  async ready(): Promise<{ status: 'ready' }> {
    try {
      // A read of a stream that never exists and of one bookkeeping document: cheap round trips to each store.
      await within(this.eventStore.readStream('readiness-probe', { maxCount: 1 }), 'the event store');
      await within(this.readStore.collection('checkpoints').get('readiness-probe'), 'the read store');
    } catch (error) {
      throw new ApiError('UNAVAILABLE', `not ready: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { status: 'ready' };
  }
}
