import { ApiProperty } from '@nestjs/swagger';

/** One artifact of a version as the API returns it (rendered by the controller's `resource`). */
export class ArtifactResponse {
  @ApiProperty({ description: 'Relative path inside the version', example: 'model/weights.bin' }) path!: string;
  @ApiProperty({ type: 'integer', description: 'Size in bytes', example: 1048576 }) size!: number;
  @ApiProperty({ description: 'Lower-case hex SHA-256 of the content', example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256!: string;
  @ApiProperty({ example: 'application/octet-stream' }) contentType!: string;
  @ApiProperty({ description: 'The Content-Digest header value (RFC 9530)', example: 'sha-256=:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=:' }) digest!: string;
}

/** The artifact manifest of a version (`GET .../artifacts`). */
export class ArtifactManifestResponse {
  @ApiProperty({ description: 'Model name', example: 'fraud-detector' }) model!: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 }) version!: number;
  @ApiProperty({ description: 'True once the version left development: no more uploads', example: false }) sealed!: boolean;
  @ApiProperty({ type: 'integer', description: 'Sum of the artifact sizes in bytes', example: 1048576 }) totalSize!: number;
  @ApiProperty({ type: [ArtifactResponse] }) items!: ArtifactResponse[];
}
