import { Controller, Get } from '@nestjs/common';
import { FLUXI_VERSION } from '@fluxi/common';

/** Liveness for orchestrators (k8s probes): the process answers HTTP. */
@Controller('health')
export class HealthController {
  @Get()
  health(): { status: 'ok'; service: 'catalog'; version: string } {
    return { status: 'ok', service: 'catalog', version: FLUXI_VERSION };
  }
}
