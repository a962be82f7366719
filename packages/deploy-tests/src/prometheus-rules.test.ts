/**
 * autoheal's own alerts (manifests/components/alerts), as the production overlay renders them: the
 * rule groups are extracted from the PrometheusRule and checked by Prometheus' own `promtool`
 * (`check rules`, then the unit tests in components/alerts/tests), and every runbook link must land
 * on a section of docs/operations.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { KubeObject } from './kustomize-loader.js';
import { manifestsDir, render, repoRoot } from './render.js';

type AlertRule = { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type RuleGroup = { name: string; rules: AlertRule[] };

const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPromtool) console.warn('[autoheal] [deploy-tests] SKIPPED promtool checks: the "promtool" binary is not installed (apt-get install prometheus)');

const UNIT_TESTS = path.join(manifestsDir, 'components/alerts/tests/autoheal-alerts.test.yaml');
/** The file name the unit tests load (their `rule_files`). */
const RULES_FILE = 'autoheal-alerts.rules.yaml';

function prometheusRule(objects: KubeObject[]): KubeObject & { spec: { groups: RuleGroup[] } } {
  const rules = objects.filter((object) => object.kind === 'PrometheusRule');
  expect(rules.map((rule) => `${rule.metadata.namespace}/${rule.metadata.name}`)).toEqual(['autoheal/autoheal']);
  return rules[0] as KubeObject & { spec: { groups: RuleGroup[] } };
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const alerts = prometheusRule(render('overlays/production')).spec.groups.flatMap((group) => group.rules);

describe('manifests/components/alerts in overlays/production', () => {
  it('has the alerts a team needs to trust autoheal', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual([
      'AutohealDown',
      'AutohealNotLeading',
      'AutohealEvaluationsFailing',
      'AutohealPrometheusUnreachable',
      'AutohealAllTargetsUnknown',
      'AutohealCircuitBreakerOpen',
      'AutohealActionsFailing',
      'AutohealNotificationsFailing',
      'AutohealTargetHandedOff',
    ]);
  });

  it('gives every alert a severity, a summary, a description and a runbook section that exists in docs/operations.md', () => {
    const operations = readFileSync(path.join(repoRoot, 'docs/operations.md'), 'utf8');
    const anchors = new Set([...operations.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => anchorOf(match[1]!)));
    for (const rule of alerts) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      const runbook = rule.annotations?.runbook_url ?? '';
      expect(runbook, rule.alert).toMatch(/\/docs\/operations\.md#[a-z0-9-]+$/);
      expect(anchors, `${rule.alert}: ${runbook}`).toContain(runbook.split('#')[1]);
    }
  });

  it('selects autoheal by the job the ServiceMonitor gives it', () => {
    for (const rule of alerts) expect(rule.expr, rule.alert).toContain('job="autoheal"');
  });

  describe.skipIf(!hasPromtool)('with promtool', () => {
    const groups = prometheusRule(render('overlays/production')).spec.groups;

    /** A fresh folder with `groups` as the rule file the unit tests load, and the unit tests. */
    async function prepare(ruleGroups: RuleGroup[]): Promise<string> {
      const dir = await mkdtemp(path.join(tmpdir(), 'autoheal-rules-'));
      await writeFile(path.join(dir, RULES_FILE), stringify({ groups: ruleGroups }));
      copyFileSync(UNIT_TESTS, path.join(dir, path.basename(UNIT_TESTS)));
      return dir;
    }

    function promtool(dir: string, ...args: string[]): { code: number; output: string } {
      try {
        return { code: 0, output: execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (error) {
        const failed = error as { status: number; stdout: string; stderr: string };
        return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
      }
    }

    it('passes promtool check rules', async () => {
      const result = promtool(await prepare(groups), 'check', 'rules', RULES_FILE);
      expect(result.output).toContain(`SUCCESS: ${alerts.length} rules found`);
      expect(result.code).toBe(0);
    });

    it('passes the promtool unit tests, which cover every alert', async () => {
      const result = promtool(await prepare(groups), 'test', 'rules', path.basename(UNIT_TESTS));
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
      const tested = new Set([...readFileSync(UNIT_TESTS, 'utf8').matchAll(/alertname: (\w+)/g)].map((match) => match[1]));
      for (const rule of alerts) expect(tested, `${rule.alert} has no unit test`).toContain(rule.alert);
    });

    it('fails the unit tests when an alert is broken', async () => {
      const broken = groups.map((group) => ({
        ...group,
        rules: group.rules.map((rule) => (rule.alert === 'AutohealTargetHandedOff' ? { ...rule, expr: rule.expr.replace('== 1', '== 2') } : rule)),
      }));
      const result = promtool(await prepare(broken), 'test', 'rules', path.basename(UNIT_TESTS));
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('alertname: AutohealTargetHandedOff');
    });
  });
});
