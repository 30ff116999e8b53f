import { Controller, Get, Inject } from '@nestjs/common';
import { FLUXI_VERSION } from '@fluxi/common';
import { HEALTH_CHECK, type HealthCheck } from '../../tokens.js';

/** GET /health: 200 while the scheduler's database answers. */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

  @Get()
  async health(): Promise<{ status: 'ok'; service: 'scheduler'; version: string }> {
    await this.check();
    return { status: 'ok', service: 'scheduler', version: FLUXI_VERSION };
  }
}
