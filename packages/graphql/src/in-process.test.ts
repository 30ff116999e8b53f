import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { FluxiError } from '@fluxi/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import type { ApolloServer } from '@apollo/server';
import { inProcessFetch, serveInProcess } from './in-process.js';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from './principal.js';
import { mountSubgraph, type SubgraphContext } from './subgraph.js';

const principal: Principal = { userId: 'U1', userName: 'ada', role: 'writer', keyId: 'K1' };

let apollo: ApolloServer<SubgraphContext>;
let http: Server;
let url: string;
/** Ends the pending `slow` resolver. */
let release = (): void => undefined;

beforeAll(async () => {
  const app = express();
  apollo = await mountSubgraph(app, {
    typeDefs: gql`
      type Query {
        me: String
        fails: String
        slow: String
      }
    `,
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, context: SubgraphContext) => context.principal?.userName ?? null,
        fails: () => {
          throw new FluxiError('NOT_FOUND', 'no such thing');
        },
        slow: () => new Promise((resolve) => (release = () => resolve('done'))),
      },
    },
  });
  http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => http.close(resolve));
  await apollo.stop();
});

/** A POST as the gateway's data source makes it. */
const post = (body: string, withPrincipal = true): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(withPrincipal ? { [PRINCIPAL_HEADER]: encodePrincipal(principal) } : {}),
  },
  body,
});

/** Status, content type and body of an answer. */
async function answer(response: Response): Promise<{ status: number; type: string | null; body: unknown }> {
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

const neverOverHttp: typeof fetch = () => Promise.reject(new Error('went over HTTP'));

describe('a subgraph served in process', () => {
  it('answers as it does over HTTP, with the principal the gateway set, without HTTP', async () => {
    const undo = serveInProcess(url, apollo);
    try {
      const local = inProcessFetch(neverOverHttp);
      const requests = [
        post(JSON.stringify({ query: '{ me }' })),
        post(JSON.stringify({ query: '{ me }' }), false),
        post(JSON.stringify({ query: '{ fails }' })),
        post(JSON.stringify({ query: '{ nope' })),
        post(JSON.stringify({ query: '{ unknownField }' })),
      ];
      for (const init of requests)
        expect(await answer(await local(url, init))).toEqual(await answer(await fetch(url, init)));
      expect(await (await local(url, requests[0] as RequestInit)).json()).toEqual({ data: { me: 'ada' } });
    } finally {
      undo();
    }
  });

  it('gives up when the signal aborts, as an HTTP request does', async () => {
    const undo = serveInProcess(url, apollo);
    try {
      const local = inProcessFetch(neverOverHttp);
      const init = { ...post(JSON.stringify({ query: '{ slow }' })), signal: AbortSignal.timeout(50) };
      await expect(local(url, init)).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      release();
      undo();
    }
  });

  it('goes over HTTP for another URL, another method, and once no longer served', async () => {
    const calls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return fetch(input, init);
    };
    const local = inProcessFetch(recording);
    const undo = serveInProcess(url, apollo);
    await local(url, post(JSON.stringify({ query: '{ me }' })));
    expect(calls).toEqual([]);
    await local(url.replace('/graphql', '/health'), { method: 'GET' });
    undo();
    const overHttp = await local(url, post(JSON.stringify({ query: '{ me }' })));
    expect(await overHttp.json()).toEqual({ data: { me: 'ada' } });
    expect(calls).toEqual([`GET ${url.replace('/graphql', '/health')}`, `POST ${url}`]);
  });
});
