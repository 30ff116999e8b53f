export * from './gen/fluxi/v1/common_pb.js';
export * from './gen/fluxi/v1/jobs_pb.js';
export * from './gen/fluxi/v1/events_pb.js';
export * from './gen/fluxi/v1/logs_pb.js';
export * from './gen/fluxi/v1/catalog_pb.js';
export * from './gen/fluxi/v1/scheduler_pb.js';
export * from './gen/fluxi/v1/settings_pb.js';
export * from './subjects.js';
export { create, toBinary, fromBinary, toJson, fromJson } from '@bufbuild/protobuf';
