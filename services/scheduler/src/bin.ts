#!/usr/bin/env node
import { runAlone } from '@fluxi/common';
import { start } from './main.js';

/** Runs the scheduler alone against shared servers (NATS_URL, REDIS_URL, DATABASE_URL). */
await runAlone('scheduler', start);
