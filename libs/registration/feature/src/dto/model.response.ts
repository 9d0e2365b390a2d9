import { ApiProperty } from '@nestjs/swagger';

/** A registered model as the API returns it (documentation only: mirrors `modelResource`). */
export class ModelResponse {
  @ApiProperty({ description: 'Stable model id (survives renames)', example: '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10' })
  id!: string;

  @ApiProperty({ example: 'fraud-detector' })
  name!: string;

  @ApiProperty({ example: 'Scores card transactions for fraud' })
  description!: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'risk' } })
  tags!: Record<string, string>;

  @ApiProperty({ description: 'Alias → version number', type: 'object', additionalProperties: { type: 'integer' }, example: { champion: 3 } })
  aliases!: Record<string, number>;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Highest version number ever created; null before the first version', example: 3 })
  latestVersion!: number | null;

  @ApiProperty({ type: 'integer', example: 3 })
  versionCount!: number;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T10:15:30.000Z' })
  createdAt!: string;

  @ApiProperty({ example: 'alice' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: 'bob' })
  updatedBy!: string;
}
