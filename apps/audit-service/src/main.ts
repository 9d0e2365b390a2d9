import './telemetry';
import 'reflect-metadata';
import { runServiceMain } from '@mreg/platform/runtime';
import { AUDIT_SERVICE } from './service';

runServiceMain(AUDIT_SERVICE);
