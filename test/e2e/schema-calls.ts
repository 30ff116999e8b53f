/**
 * Calls of every mutation of the gateway's schema, built from introspection: each required
 * argument gets a well-typed placeholder value (recursively for input objects), each call selects
 * `__typename` (or nothing for a scalar result). For tests that must cover every mutation.
 */

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface InputValue {
  name: string;
  type: TypeRef;
}
interface FullType {
  kind: string;
  name: string;
  inputFields: InputValue[] | null;
  enumValues: { name: string }[] | null;
  fields: { name: string; args: InputValue[]; type: TypeRef }[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = `{ __schema { mutationType { name } types { kind name
  inputFields { name type { ${TYPE_REF} } } enumValues { name }
  fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } } } }`;

export interface MutationCall {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

function typeText(ref: TypeRef): string {
  if (ref.kind === 'NON_NULL') return `${typeText(ref.ofType as TypeRef)}!`;
  if (ref.kind === 'LIST') return `[${typeText(ref.ofType as TypeRef)}]`;
  return ref.name as string;
}

function named(ref: TypeRef): TypeRef {
  return ref.ofType === null ? ref : named(ref.ofType);
}

function placeholder(ref: TypeRef, types: Map<string, FullType>, depth = 0): unknown {
  if (ref.kind === 'NON_NULL') return placeholder(ref.ofType as TypeRef, types, depth);
  if (ref.kind === 'LIST') return [];
  const type = types.get(ref.name as string);
  switch (ref.name) {
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'String':
    case 'ID':
      return 'X0';
  }
  if (type?.kind === 'ENUM') return type.enumValues?.[0]?.name;
  if (type?.kind === 'INPUT_OBJECT') {
    const value: Record<string, unknown> = {};
    for (const field of type.inputFields ?? []) {
      if (field.type.kind === 'NON_NULL' && depth < 6) value[field.name] = placeholder(field.type, types, depth + 1);
    }
    return value;
  }
  return 'X0';
}

/** One call per mutation field of the schema served at `url` (introspected with `key`). */
export async function mutationCalls(url: string, key: string): Promise<MutationCall[]> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: INTROSPECTION }),
  });
  const body = (await res.json()) as { data: { __schema: { mutationType: { name: string }; types: FullType[] } } };
  const types = new Map(body.data.__schema.types.map((type) => [type.name, type]));
  const mutation = types.get(body.data.__schema.mutationType.name) as FullType;
  return (mutation.fields ?? []).map((field) => {
    const variables: Record<string, unknown> = {};
    const declared: string[] = [];
    const passed: string[] = [];
    for (const arg of field.args) {
      if (arg.type.kind !== 'NON_NULL') continue;
      variables[arg.name] = placeholder(arg.type, types);
      declared.push(`$${arg.name}: ${typeText(arg.type)}`);
      passed.push(`${arg.name}: $${arg.name}`);
    }
    const result = types.get(named(field.type).name as string);
    const selection =
      result?.kind === 'OBJECT' || result?.kind === 'INTERFACE' || result?.kind === 'UNION' ? ' { __typename }' : '';
    const query = `mutation${declared.length ? ` (${declared.join(', ')})` : ''} { ${field.name}${
      passed.length ? `(${passed.join(', ')})` : ''
    }${selection} }`;
    return { name: field.name, query, variables };
  });
}
