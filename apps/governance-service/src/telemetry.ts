// The first import of main.ts: telemetry starts before any module loads mongoose, kafkajs or the AWS SDK, so
// their instrumentations patch them (decision 20). Only the telemetry entry point is loaded here, not the runtime.
import { startTelemetry } from '@mreg/platform/runtime/telemetry';

startTelemetry('governance-service');
