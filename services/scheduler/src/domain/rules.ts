import { evaluateCiExpression, parseCiExpression } from '@fluxi/common';
import type { PlannedJobRun } from './plan.js';
import type { When } from './status.js';

/** An entry rule as the snapshot carries it (contract EntryRule). */
export interface RuleShape {
  readonly condition: string;
  /** on_success, on_failure, always, never; empty: on_success. */
  readonly when: string;
  readonly allowFailure?: boolean | undefined;
}

/** What the rules made of a planned job run: its when and allowFailure, or why it is skipped. */
export interface RuledJobRun {
  readonly when: When;
  readonly allowFailure: boolean;
  /** Set when the job run is created SKIPPED. */
  readonly skipped?: string;
}

const WHENS: Record<string, When | 'never'> = {
  '': 'on_success',
  on_success: 'on_success',
  on_failure: 'on_failure',
  always: 'always',
  manual: 'manual',
  never: 'never',
};

/**
 * The planned job runs with their rules decided: `variablesOf` gives each one's variables.
 * A skipped one keeps its when and carries the reason in `skipped`.
 */
export function decideRules(
  planned: readonly PlannedJobRun[],
  variablesOf: (plan: PlannedJobRun) => Readonly<Record<string, string>>,
): PlannedJobRun[] {
  return planned.map((plan) => (plan.rules.length === 0 ? plan : { ...plan, ...applyRules(plan, variablesOf(plan)) }));
}

/**
 * GitLab `rules` decided when the run is created: the first rule whose condition holds
 * (over `variables`: the run's CI_* ones and the job's env) gives the when and
 * allowFailure; `never`, or no rule holding, skips the job run. No rules: unchanged.
 */
export function applyRules(plan: PlannedJobRun, variables: Readonly<Record<string, string>>): RuledJobRun {
  const base = { when: plan.when, allowFailure: plan.allowFailure };
  if (plan.rules.length === 0) return base;
  for (const [index, rule] of plan.rules.entries()) {
    const holds = rule.condition.trim() === '' || evaluateCiExpression(parseCiExpression(rule.condition), variables);
    if (!holds) continue;
    const when = WHENS[rule.when] ?? 'on_success';
    if (when === 'never') return { ...base, skipped: `rules: rule ${index + 1} says when: never` };
    return { when, allowFailure: rule.allowFailure ?? plan.allowFailure };
  }
  return { ...base, skipped: 'rules: no rule holds for this run' };
}
