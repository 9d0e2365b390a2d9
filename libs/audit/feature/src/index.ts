export * from './audit.module';
export * from './point-in-time.service';
export * from './dto/catalog.response';
