/**
 * Starting a stage-service app: HTTP (/health, /metrics) plus the NATS control plane with the
 * msgpack serializer and deserializer, shutdown hooks on (SIGTERM drains the stage runners).
 */
import type { BusLogger } from '@memgen/bus';
import { type DynamicModule, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { natsTransportOptions } from './msgpack-transport.js';
import { OpsModule } from './ops.module.js';

export interface ServiceAppOptions {
  /** The stage modules to run (e.g. TrainerModule.register(…)). */
  stages: (DynamicModule | Type<unknown>)[];
  natsUrl: string | string[];
  /** HTTP port for /health and /metrics; 0 = any free port. */
  httpPort: number;
  logger: BusLogger;
}

/** Builds and starts the app; returns it (app.close() drains and stops). */
export async function startServiceApp(options: ServiceAppOptions): Promise<INestApplication> {
  @Module({ imports: [OpsModule, ...options.stages] })
  class ServiceAppModule {}

  const app = await NestFactory.create(ServiceAppModule, { logger: ['error', 'warn'] });
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.NATS,
    options: natsTransportOptions(options.natsUrl),
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.startAllMicroservices();
  await app.listen(options.httpPort, '0.0.0.0');
  options.logger.info({ url: await app.getUrl() }, 'service app listening');
  return app;
}
