export * from './nats.js';
export * from './codec.js';
export * from './reply.js';
export * from './durable.js';
export * from './queue.js';
export type { NatsConnection, MsgHdrs } from '@nats-io/transport-node';
export type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
export * from './follow.js';
