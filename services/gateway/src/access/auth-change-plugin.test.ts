import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { forgetKeysOnAuthChange } from './auth-change-plugin.js';

const typeDefs = `
  type Query { me: String }
  type Mutation { updateUser(id: ID!): String, deleteUser(id: ID!): Boolean, revokeApiKey(id: ID!): String, createJob: String }
`;
const resolvers = {
  Query: { me: () => 'U1' },
  Mutation: {
    updateUser: () => 'U1',
    deleteUser: () => {
      throw new Error('no such user');
    },
    revokeApiKey: () => 'K1',
    createJob: () => 'J1',
  },
};

describe('forgetKeysOnAuthChange', () => {
  it('forgets cached keys before answering a mutation of users or keys, and only then', async () => {
    const forgotten: string[] = [];
    let operation = '';
    const server = new ApolloServer({
      typeDefs,
      resolvers,
      plugins: [forgetKeysOnAuthChange(() => forgotten.push(operation))],
    });
    await server.start();
    try {
      for (const query of [
        '{ me }',
        'mutation { createJob }',
        'mutation { updateUser(id: "U1") }',
        'mutation { a: createJob, b: revokeApiKey(id: "K1") }',
        // A failed change forgets too: the catalog may have changed something before failing.
        'mutation { deleteUser(id: "U9") }',
      ]) {
        operation = query;
        await server.executeOperation({ query });
      }
    } finally {
      await server.stop();
    }
    expect(forgotten).toEqual([
      'mutation { updateUser(id: "U1") }',
      'mutation { a: createJob, b: revokeApiKey(id: "K1") }',
      'mutation { deleteUser(id: "U9") }',
    ]);
  });
});
