#!/usr/bin/env node
import { runAlone } from '@fluxi/common';
import { start } from './main.js';

/** Runs one executor (a pool's BullMQ workers) against shared servers (NATS_URL, REDIS_URL). */
await runAlone('executor', (options) => start(options));
