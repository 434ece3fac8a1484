/** `/health` (terminus: a NATS PING over the process's one connection, per group) and `/metrics`. */
import type { JetStreamServer } from '@memgen/bus';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { StageMetrics } from './stage-metrics.js';
import { BUS_TRANSPORT, STAGE_METRICS } from './tokens.js';

@Controller()
export class OpsController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(BUS_TRANSPORT) private readonly transport: JetStreamServer,
    @Inject(STAGE_METRICS) private readonly metricsRegistry: StageMetrics,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check(
      this.transport.groups().map((group) => async () => {
        const session = this.indicators.check(`nats-${group}`);
        try {
          const rttMs = await this.transport.ping();
          return session.up({ rttMs, draining: this.transport.groupStatus(group).draining });
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      }),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.metricsRegistry.text();
  }
}
