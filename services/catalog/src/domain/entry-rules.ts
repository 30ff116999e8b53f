import { badInput, CiExpressionError, parseCiExpression } from '@fluxi/common';

export const RULE_WHEN = ['ON_SUCCESS', 'ON_FAILURE', 'ALWAYS', 'MANUAL', 'NEVER'] as const;
export type RuleWhen = (typeof RULE_WHEN)[number];

/**
 * A condition decided when a run is created (GitLab `rules`): the first rule whose `if`
 * holds (no `if`: always) gives the entry's when and allowFailure; none holding skips it.
 */
export interface EntryRule {
  if: string | null;
  when: RuleWhen;
  allowFailure: boolean | null;
}

export interface EntryRuleInput {
  if?: string | null;
  when?: string | null;
  allowFailure?: boolean | null;
}

export const MAX_RULES = 50;

/** Validates an entry's rules: each `if` must parse, `when` be one of RULE_WHEN. */
export function validateRules(input: ReadonlyArray<EntryRuleInput> | null | undefined, field: string): EntryRule[] {
  if (input === undefined || input === null) return [];
  if (input.length > MAX_RULES) throw badInput(`an entry has at most ${MAX_RULES} rules`, field);
  return input.map((rule, r) => {
    const at = `${field}[${r}]`;
    const condition = rule.if === undefined || rule.if === null || rule.if.trim() === '' ? null : rule.if;
    if (condition !== null) {
      try {
        parseCiExpression(condition);
      } catch (error) {
        if (error instanceof CiExpressionError) throw badInput(`rule condition: ${error.message}`, `${at}.if`);
        throw error;
      }
    }
    const when = rule.when ?? 'ON_SUCCESS';
    if (!(RULE_WHEN as readonly string[]).includes(when)) {
      throw badInput(`rule when ${JSON.stringify(when)} is invalid: use one of ${RULE_WHEN.join(', ')}`, `${at}.when`);
    }
    return { if: condition, when: when as RuleWhen, allowFailure: rule.allowFailure ?? null };
  });
}
