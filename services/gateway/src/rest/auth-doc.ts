import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from './zod.js';

/*
 * The login routes of access/session-routes.ts, described for the OpenAPI document (they are
 * served there, not by the REST router: login is open, before the key check).
 */

const Credentials = z
  .object({
    name: z.string().min(1).openapi({ example: 'ci-bot' }),
    password: z.string().min(1).openapi({ example: 'a long pass phrase' }),
  })
  .openapi('Credentials');

const Session = z
  .object({
    token: z.string().openapi({ description: 'fluxi_SE…: send it as Authorization: Bearer <token>.' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
    user: z.object({ id: z.string(), name: z.string(), role: z.enum(['admin', 'writer', 'reader']) }),
  })
  .openapi('Session');

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
const RATE_LIMITED = {
  description: 'Too many failed authentications from this user name, key prefix or address: see Retry-After.',
  headers: { 'Retry-After': { description: 'Seconds until it may try again.', schema: { type: 'integer' } } },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
} as const;

export const authRoutes: RouteConfig[] = [
  {
    method: 'post',
    path: '/auth/login',
    operationId: 'login',
    summary: 'Log in with a user name and password',
    description:
      'Opens a session: the token works like an API key until expiresAt (catalog.sessionHours). Wrong user names and ' +
      'passwords are answered alike, counted and limited. No API key needed.',
    tags: ['auth'],
    security: [],
    request: { body: { required: true, content: { 'application/json': { schema: Credentials } } } },
    responses: {
      '200': { description: 'The session.', content: { 'application/json': { schema: Session } } },
      '400': ref('BadRequest'),
      '401': ref('Unauthenticated'),
      '429': RATE_LIMITED,
      '503': ref('Unavailable'),
    },
  },
  {
    method: 'post',
    path: '/auth/logout',
    operationId: 'logout',
    summary: 'End the session of the token used',
    description: 'Ends the login session whose token authenticates this request (an API key is revoked instead).',
    tags: ['auth'],
    responses: {
      '204': { description: 'Ended.' },
      '400': ref('BadRequest'),
      '401': ref('Unauthenticated'),
      '429': RATE_LIMITED,
    },
  },
];
