/** `/health` (terminus: a NATS PING per stage connection) and `/metrics` (Prometheus text). */
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { StageRegistry } from './stage-registry.js';
import { STAGE_REGISTRY } from './tokens.js';

@Controller()
export class OpsController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(STAGE_REGISTRY) private readonly registry: StageRegistry,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check(
      this.registry.runners.map((runner) => async () => {
        const key = `nats-${runner.options.stage}`;
        const session = this.indicators.check(key);
        try {
          const rttMs = await runner.ping();
          return session.up({ rttMs, draining: runner.status().draining });
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      }),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.registry.metrics.metrics();
  }
}
