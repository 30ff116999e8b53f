#!/usr/bin/env node
import { runAlone } from '@fluxi/common';
import { start } from './main.js';

await runAlone('logs', start);
