import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/roles.decorator';
import { ApiError } from '../http/api-error';
import { ApiErrorResponses } from '../http/api-error.response';
import { PORT_KEYS, PortHealthIndicators } from './port-health.indicators';

export class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

export class PortStatus {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status!: 'up' | 'down';

  @ApiPropertyOptional({ description: 'Why the port is down', example: 'did not answer within 2000 ms' })
  message?: string;
}

/** The ports by name, as terminus reports them. */
export class PortStatuses {
  @ApiPropertyOptional({ type: PortStatus, description: 'The event store (SQLite or KurrentDB)' })
  eventStore?: PortStatus;

  @ApiPropertyOptional({ type: PortStatus, description: 'The event bus (in-process or Kafka)' })
  eventBus?: PortStatus;

  @ApiPropertyOptional({ type: PortStatus, description: 'The read store (SQLite or MongoDB)' })
  readStore?: PortStatus;

  @ApiPropertyOptional({ type: PortStatus, description: 'The artifact storage (filesystem or S3)' })
  artifactStorage?: PortStatus;
}

/** Terminus's result: every port up. When one is down the answer is 503 with this result as the error's details. */
export class ReadyResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ type: PortStatuses, description: 'The ports that are up' })
  info!: PortStatuses;

  @ApiProperty({ type: PortStatuses, description: 'The ports that are down (none when ready)' })
  error!: PortStatuses;

  @ApiProperty({ type: PortStatuses, description: 'Every port' })
  details!: PortStatuses;
}

/**
 * Liveness (`/health`: the process answers; it checks nothing else, so a lost database never restarts the
 * process) and readiness (`/ready`: terminus runs one indicator per port, concurrently, each bounded to 2 s).
 */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly ports: PortHealthIndicators,
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
  @ApiOperation({ summary: 'Readiness: the event store, the event bus, the read store and the artifact storage answer' })
  @ApiOkResponse({ description: 'Ready to serve: every port is up', type: ReadyResponse })
  @ApiErrorResponses(503)
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.checks.check(PORT_KEYS.map((key) => () => this.ports.check(key)));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.entries(result.error ?? {}).map(([key, value]) => {
        const message: unknown = (value as { message?: unknown }).message;
        return `${key}: ${typeof message === 'string' ? message : 'down'}`;
      });
      throw new ApiError('UNAVAILABLE', `not ready: ${down.join('; ')}`, result);
    }
  }
}
