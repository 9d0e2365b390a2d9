import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';

@ApiTags('health')
@Controller()
export class HealthController {
  @Get('health')
  @Public()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  ready(): { status: 'ready' } {
    return { status: 'ready' };
  }
}
