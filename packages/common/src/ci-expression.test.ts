import { describe, expect, it } from 'vitest';
import { CiExpressionError, evaluateCiExpression, parseCiExpression } from './ci-expression.js';

const check = (text: string, variables: Record<string, string>) =>
  evaluateCiExpression(parseCiExpression(text), variables);

describe('GitLab rules: if expressions', () => {
  const push = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' };

  it('compares variables with strings, variables and null', () => {
    expect(check('$CI_PIPELINE_SOURCE == "push"', push)).toBe(true);
    expect(check("$CI_PIPELINE_SOURCE != 'push'", push)).toBe(false);
    expect(check('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', push)).toBe(true);
    expect(check('$CI_COMMIT_TAG == null', push)).toBe(true);
    expect(check('$CI_COMMIT_TAG != null', push)).toBe(false);
    expect(check('$CI_COMMIT_TAG', push)).toBe(false);
    expect(check('${CI_COMMIT_BRANCH}', push)).toBe(true);
  });

  it('matches regular expressions, with flags', () => {
    expect(check('$CI_COMMIT_BRANCH =~ /^ma/', push)).toBe(true);
    expect(check('$CI_COMMIT_BRANCH =~ /^MA/i', push)).toBe(true);
    expect(check('$CI_COMMIT_BRANCH !~ /^release\\//', push)).toBe(true);
    expect(check('$CI_COMMIT_TAG =~ /^v/', push)).toBe(false);
  });

  it('combines with && before ||, and parentheses', () => {
    expect(check('$CI_PIPELINE_SOURCE == "web" || $CI_COMMIT_BRANCH == "main" && $CI_COMMIT_TAG', push)).toBe(false);
    expect(check('($CI_PIPELINE_SOURCE == "web" || $CI_COMMIT_BRANCH == "main") && $CI_DEFAULT_BRANCH', push)).toBe(
      true,
    );
  });

  it('refuses what it cannot read, naming the fault', () => {
    expect(() => parseCiExpression('$A == ')).toThrow(CiExpressionError);
    expect(() => parseCiExpression('$A = "x"')).toThrow(/unexpected "="/);
    expect(() => parseCiExpression('($A == "x"')).toThrow(/"\)" is missing/);
    expect(() => parseCiExpression('$A =~ /(/')).toThrow(/not a valid regular expression/);
  });
});
