export { start, chdbPath, SERVICE_NAME } from './main.js';
export { LOGS_DURABLE } from './transport/log-ingestor.js';
