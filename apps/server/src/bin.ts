#!/usr/bin/env node
import { runCli } from './cli.js';

// Exit explicitly: a connection still retrying (NATS, Redis) must not keep a stopped process alive.
process.exit(await runCli(process.argv));
