import { Controller, Get, Inject, Res } from '@nestjs/common';
import { serviceHealth, type HealthChecks, type ServiceHealth } from '@fluxi/common';
import { HEALTH_CHECKS } from '../../tokens.js';

/** The part of Express's response the controller sets. */
interface StatusResponse {
  status(code: number): unknown;
}

/** GET /health: 200 when NATS, the database and Redis answer, 503 naming what is down otherwise. */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthChecks) {}

  @Get()
  async health(@Res({ passthrough: true }) res: StatusResponse): Promise<ServiceHealth> {
    const health = await serviceHealth('scheduler', this.checks);
    res.status(health.status === 'ok' ? 200 : 503);
    return health;
  }
}
