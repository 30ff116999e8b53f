import type { Express, Request, Response } from 'express';
import { FluxiError, type Logger } from '@fluxi/common';
import type { LocalArtifactStore } from '@fluxi/artifacts';
import { sendError } from './auth.js';

/**
 * GET /artifacts/<jobRunId>/<path>: downloads one artifact file (API key required, any
 * role). Paths are checked by the store: nothing outside the job run's folder is served.
 */
export function mountArtifacts(app: Express, store: LocalArtifactStore, logger: Logger): void {
  app.get('/artifacts/:jobRunId/*path', (req: Request, res: Response) => {
    const jobRunId = String(req.params['jobRunId']);
    const segments = req.params['path'] as unknown as string[] | string;
    const path = Array.isArray(segments) ? segments.join('/') : String(segments);
    store.open(jobRunId, path).then(
      (opened) => {
        if (opened === undefined) {
          sendError(req, res, new FluxiError('NOT_FOUND', `job run ${jobRunId} has no artifact ${path}`));
          return;
        }
        const fileName = path.split('/').pop() ?? 'artifact';
        res.status(200);
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-length', String(opened.sizeBytes));
        res.setHeader('content-disposition', `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`);
        opened.stream.on('error', (error) => {
          logger.warn({ err: error, jobRunId, path }, 'artifact download failed');
          res.destroy(error);
        });
        opened.stream.pipe(res);
      },
      (error: unknown) => sendError(req, res, error),
    );
  });
}
