export * from './artifact.module';
export * from './artifact.service';
export * from './artifact-tree.service';
export * from './artifact-download';
export * from './artifact-path.param';
export * from './byte-range';
export * from './dto/artifact.response';
