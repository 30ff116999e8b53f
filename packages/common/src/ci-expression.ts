/**
 * GitLab CI `rules: if:` expressions, the subset Fluxi evaluates: `$VAR`, "strings" and
 * 'strings', `null`, /regex/flags, `==`, `!=`, `=~`, `!~`, `&&`, `||` and parentheses
 * (`&&` binds tighter than `||`, as in GitLab). A bare `$VAR` is true when the variable is
 * set and not empty. Shared by the catalog (checked at import) and the scheduler
 * (evaluated when a run is created).
 */
export type CiExpression =
  | { kind: 'var'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'null' }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'compare'; op: '==' | '!=' | '=~' | '!~'; left: CiExpression; right: CiExpression }
  | { kind: 'and' | 'or'; left: CiExpression; right: CiExpression };

type Token =
  | { kind: 'var' | 'string' | 'regex' | 'op' | 'null' | '(' | ')'; text: string; flags?: string }
  | { kind: 'end'; text: '' };

export class CiExpressionError extends Error {}

const OPS = ['==', '!=', '=~', '!~', '&&', '||'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new CiExpressionError(`${why} at character ${i + 1} of ${JSON.stringify(text)}`);
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '$') {
      const match = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(text.slice(i));
      if (match === null) fail('a variable name is expected');
      tokens.push({ kind: 'var', text: (match as RegExpExecArray)[1] as string });
      i += (match as RegExpExecArray)[0].length;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('a string is not closed');
      tokens.push({ kind: 'string', text: text.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '/') {
      let end = i + 1;
      while (end < text.length && text[end] !== '/') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) fail('a regular expression is not closed');
      const flags = /^[a-z]*/.exec(text.slice(end + 1))?.[0] ?? '';
      tokens.push({ kind: 'regex', text: text.slice(i + 1, end), flags });
      i = end + 1 + flags.length;
    } else if (text.startsWith('null', i)) {
      tokens.push({ kind: 'null', text: 'null' });
      i += 4;
    } else {
      const op = OPS.find((candidate) => text.startsWith(candidate, i));
      if (op === undefined) fail(`unexpected ${JSON.stringify(c)}`);
      tokens.push({ kind: 'op', text: op as string });
      i += 2;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

/** Parses an expression; throws CiExpressionError naming the fault. */
export function parseCiExpression(text: string): CiExpression {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token => tokens[at] as Token;
  const fail = (why: string): never => {
    throw new CiExpressionError(`${why} in ${JSON.stringify(text)}`);
  };
  const binary = (op: '&&' | '||', next: () => CiExpression): CiExpression => {
    let left = next();
    while (peek().kind === 'op' && peek().text === op) {
      at++;
      left = { kind: op === '&&' ? 'and' : 'or', left, right: next() };
    }
    return left;
  };
  const operand = (): CiExpression => {
    const token = tokens[at++] as Token;
    switch (token.kind) {
      case '(': {
        const inner = binary('||', () => binary('&&', comparison));
        if (tokens[at++]?.kind !== ')') fail('a ")" is missing');
        return inner;
      }
      case 'var':
        return { kind: 'var', name: token.text };
      case 'string':
        return { kind: 'string', value: token.text };
      case 'null':
        return { kind: 'null' };
      case 'regex':
        try {
          new RegExp(token.text, token.flags);
        } catch {
          fail(`/${token.text}/ is not a valid regular expression`);
        }
        return { kind: 'regex', source: token.text, flags: token.flags ?? '' };
      default:
        return fail(token.kind === 'end' ? 'the expression ends too early' : `unexpected ${token.text}`);
    }
  };
  const comparison = (): CiExpression => {
    const left = operand();
    const token = peek();
    if (token.kind === 'op' && ['==', '!=', '=~', '!~'].includes(token.text)) {
      at++;
      return { kind: 'compare', op: token.text as '==' | '!=' | '=~' | '!~', left, right: operand() };
    }
    return left;
  };
  const expression = binary('||', () => binary('&&', comparison));
  if (peek().kind !== 'end') fail(`unexpected ${peek().text}`);
  return expression;
}

/** Evaluates an expression with `variables` (absent ones are null, as in GitLab). */
export function evaluateCiExpression(expression: CiExpression, variables: Readonly<Record<string, string>>): boolean {
  return truthy(value(expression, variables));
}

type Value = string | null | boolean | RegExp;

function value(expression: CiExpression, variables: Readonly<Record<string, string>>): Value {
  switch (expression.kind) {
    case 'var':
      return variables[expression.name] ?? null;
    case 'string':
      return expression.value;
    case 'null':
      return null;
    case 'regex':
      return new RegExp(expression.source, expression.flags);
    case 'and':
      return truthy(value(expression.left, variables)) && truthy(value(expression.right, variables));
    case 'or':
      return truthy(value(expression.left, variables)) || truthy(value(expression.right, variables));
    case 'compare': {
      const left = value(expression.left, variables);
      const right = value(expression.right, variables);
      if (expression.op === '=~' || expression.op === '!~') {
        const matches = right instanceof RegExp && typeof left === 'string' && right.test(left);
        return expression.op === '=~' ? matches : !matches;
      }
      const equal = String(left) === String(right) && (left === null) === (right === null);
      return expression.op === '==' ? equal : !equal;
    }
  }
}

function truthy(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value !== '';
  return value !== null;
}
