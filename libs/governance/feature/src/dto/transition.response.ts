import { ApiProperty } from '@nestjs/swagger';
import { TransitionResponse } from '@mreg/audit/read-models';

/** One page of `GET /transitions`. */
export class TransitionPage {
  @ApiProperty({ type: [TransitionResponse] })
  items!: TransitionResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as pageToken for the next page; null on the last page', example: null })
  nextPageToken!: string | null;
}
