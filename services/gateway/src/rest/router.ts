import type { ApolloServer } from '@apollo/server';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { badInput, type Logger } from '@fluxi/common';
import { addressOf, type AuthedRequest } from '../transport/auth.js';
import type { GatewayContext } from '../transport/graphql.js';
import { mountDocs } from './docs.js';
import { inProcessOperations, OperationError } from './operation.js';
import { problem, sendProblem, writeProblem } from './problem.js';
import type { Method, RestRoute } from './route.js';
import { restRoutes } from './routes/index.js';
import type { z } from './zod.js';

/** `stages[0].entries[1].jobId` from zod's path. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`),
    '',
  );
}

/** Parses with a route's schema; the first fault is BAD_USER_INPUT naming its field. */
function parse(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...(issue?.path ?? [])];
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = fieldOf(path);
  const message = issue?.message ?? 'invalid';
  throw badInput(field === '' ? `${where}: ${message}` : `${field}: ${message}`, field === '' ? undefined : field);
}

function bodyOf(req: Request, route: RestRoute): unknown {
  if (route.body === undefined) return undefined;
  const body: unknown = req.body;
  if (body !== undefined) return body;
  if (route.bodyOptional === true) return {};
  throw badInput('this operation needs a JSON body (Content-Type: application/json)');
}

function handler(route: RestRoute, server: ApolloServer<GatewayContext>, logger: Logger) {
  return async (req: AuthedRequest, res: Response): Promise<void> => {
    try {
      const input = {
        params: parse(route.params, req.params, 'path'),
        query: parse(route.query, req.query, 'query'),
        body: parse(route.body, bodyOf(req, route), 'body'),
      };
      const value = await route.handle(inProcessOperations(server, req.principal, addressOf(req)), input as never);
      if (route.status === 204) res.status(204).end();
      else res.status(route.status).json(value);
    } catch (error) {
      if (error instanceof OperationError) {
        const body = problem(error.parts);
        if (body.status >= 500 && body.errorId === undefined) {
          // A code the map does not know (a GraphQL validation failure: a bug of this layer).
          sendProblem(res, error, logger);
          return;
        }
        writeProblem(res, body);
        return;
      }
      sendProblem(res, error, logger);
    }
  };
}

/** `/jobs/{id}` as Express writes it, and as a pattern to tell a wrong method from an unknown path. */
const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const pathPattern = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`);

/** 405 with Allow for a known path asked with another method, else 404. */
function unknownRoute(routes: readonly RestRoute[]) {
  const patterns = routes.map((route) => ({ method: route.method, pattern: pathPattern(route.path) }));
  return (req: Request, res: Response): void => {
    const allowed = patterns.filter(({ pattern }) => pattern.test(req.path)).map(({ method }) => method.toUpperCase());
    if (allowed.length > 0) {
      res.setHeader('allow', [...new Set(allowed)].join(', '));
      writeProblem(res, {
        ...problem({ code: 'METHOD_NOT_ALLOWED', detail: `${req.method} is not one of ${allowed.join(', ')} here` }),
        status: 405,
        title: 'Method Not Allowed',
      });
      return;
    }
    writeProblem(res, problem({ code: 'NOT_FOUND', detail: `no REST operation at ${req.method} /api/v1${req.path}` }));
  };
}

/**
 * The REST API under /api/v1, its OpenAPI document and Swagger UI (docs.ts) (behind the API key check main.ts puts there): each route validates
 * its request with its zod schemas, runs GraphQL operations of the supergraph in process with the
 * caller's principal, and answers JSON, or application/problem+json for every error.
 */
export function mountRest(http: Express, server: ApolloServer<GatewayContext>, logger: Logger): void {
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));
  for (const route of restRoutes) {
    router[route.method satisfies Method](expressPath(route.path), handler(route, server, logger));
  }
  router.use(unknownRoute(restRoutes));
  // A body that is not JSON, or too large: express.json's errors carry their status.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (status === 413) {
      writeProblem(res, {
        ...problem({ code: 'BAD_USER_INPUT', detail: 'the body is too large' }),
        status: 413,
        title: 'Payload Too Large',
      });
      return;
    }
    if (status === 400) {
      sendProblem(res, badInput('the body is not valid JSON', 'body'));
      return;
    }
    sendProblem(res, error, logger);
  });
  http.use('/api/v1', router);
  mountDocs(http);
}
