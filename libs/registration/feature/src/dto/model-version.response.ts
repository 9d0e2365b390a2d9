import { ApiProperty } from '@nestjs/swagger';
import { ModelResponse, VersionResponse } from '@mreg/audit/read-models';

/** `PUT /models/{name}/aliases/{alias}`: the alias, the version it now names and the model. */
export class AliasAssignmentResponse {
  @ApiProperty({ example: 'champion' })
  alias!: string;

  @ApiProperty({ type: VersionResponse })
  version!: VersionResponse;

  @ApiProperty({ type: ModelResponse })
  model!: ModelResponse;
}
