import type { RestRoute } from '../route.js';
import { accessRoutes } from './access.js';
import { adminRoutes } from './admin.js';
import { jobRoutes } from './jobs.js';
import { logRoutes } from './logs.js';
import { notificationRoutes } from './notifications.js';
import { pipelineRoutes } from './pipelines.js';
import { runRoutes } from './runs.js';
import { scheduleRoutes } from './schedules.js';
import { statsRoutes } from './stats.js';

/** Every REST operation under /api/v1 but the SSE streams (live/sse.ts), in document order. */
export const restRoutes: readonly RestRoute[] = [
  ...jobRoutes,
  ...pipelineRoutes,
  ...scheduleRoutes,
  ...runRoutes,
  ...logRoutes,
  ...notificationRoutes,
  ...statsRoutes,
  ...adminRoutes,
  ...accessRoutes,
];
