import './telemetry';
import 'reflect-metadata';
import { runServiceMain } from '@mreg/platform/runtime';
import { ARTIFACT_SERVICE } from './service';

runServiceMain(ARTIFACT_SERVICE);
