import { ApiAcceptedResponse, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The 202 body of a write the read models have not caught up with (documentation only: mirrors what
 * `ErrorEnvelopeFilter` renders for `WritePending`): the status, a message and what identifies the resource.
 */
export class WritePendingResponse {
  @ApiProperty({ enum: ['pending'], example: 'pending' })
  status!: 'pending';

  @ApiProperty({ example: 'the write is recorded; the read models are still catching up' })
  message!: string;

  @ApiPropertyOptional({ description: 'Id of the model or transition written', example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' })
  id?: string;

  @ApiPropertyOptional({ description: 'Model id (version writes)', example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' })
  modelId?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Version number (version writes)', example: 3 })
  version?: number;
}

/** 202 Accepted: the write is durable but the read models lag; present X-Mreg-Consistency on the next read. */
export function ApiWritePendingResponse(): MethodDecorator & ClassDecorator {
  return ApiAcceptedResponse({
    description: 'The write is recorded but the read models are still catching up; present the X-Mreg-Consistency token on the next read',
    type: WritePendingResponse,
    headers: {
      'X-Mreg-Consistency': { description: 'Consistency token of the write', schema: { type: 'string' } },
      'X-Mreg-Consistency-Pending': { description: 'Always "true"', schema: { type: 'string', enum: ['true'] } },
    },
  });
}
