export * from './artifact.module';
export * from './artifact.service';
export * from './byte-range';
export * from './dto/artifact.response';
