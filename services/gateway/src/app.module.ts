import { Module } from '@nestjs/common';

/**
 * The gateway's Nest module. The gateway has no providers of its own yet: its
 * routes are Express middleware mounted in main.ts (Apollo Gateway, auth, health).
 */
@Module({})
export class GatewayModule {}
