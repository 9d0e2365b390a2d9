import { Injectable, Logger, Module } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SignInController } from '../auth/sign-in.controller';
import { WhoAmIController } from '../auth/whoami.controller';
import { HealthController } from './health.controller';
import { PortHealthIndicators } from './port-health.indicators';

/** Terminus's failed-check lines go through Nest's logger (JSON lines), as a warning: the probe answers 503. */
@Injectable()
class HealthLogger implements LoggerService {
  private readonly logger = new Logger('Health');

  log(message: unknown): void {
    this.logger.log(message);
  }

  error(message: unknown): void {
    this.logger.warn(message);
  }

  warn(message: unknown): void {
    this.logger.warn(message);
  }
}

/** `/health` and `/ready` (the ports come from the (global) platform module), `/api/v1/me` and `/api/v1/sign-in`: every service answers them. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthLogger })],
  controllers: [HealthController, WhoAmIController, SignInController],
  providers: [PortHealthIndicators],
})
export class HealthModule {}
