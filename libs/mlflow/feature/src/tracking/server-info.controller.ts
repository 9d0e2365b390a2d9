import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Roles } from '@mreg/platform/runtime';
import { SERVER_INFO } from './tracking.entities';

/** What MLflow clients ask a server about itself before using it. */
@ApiExcludeController()
@Controller('api/3.0/mlflow')
export class MlflowServerInfoController {
  @Get('server-info')
  @Roles('reader')
  serverInfo() {
    return SERVER_INFO;
  }
}
