import './telemetry';
import 'reflect-metadata';
import { runServiceMain } from '@mreg/platform/runtime';
import { GOVERNANCE_SERVICE } from './service';

runServiceMain(GOVERNANCE_SERVICE);
