import './telemetry';
import 'reflect-metadata';
import { runServiceMain } from '@mreg/platform/runtime';
import { REGISTRATION_SERVICE } from './service';

runServiceMain(REGISTRATION_SERVICE);
