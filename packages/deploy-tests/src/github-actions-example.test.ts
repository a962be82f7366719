/**
 * examples/github-actions/ci.yml: its key properties, and the autoheal step's exit-code handling
 * run for real with bash (a stand-in `node` on PATH exits with each code `autoheal run` documents).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './render.js';

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; 'timeout-minutes'?: number };
type Workflow = {
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  env: Record<string, string>;
  jobs: Record<string, { 'timeout-minutes': number; steps: Step[] }>;
};

const workflow = parse(readFileSync(path.join(repoRoot, 'examples/github-actions/ci.yml'), 'utf8')) as Workflow;
const job = Object.values(workflow.jobs)[0]!;
const stepIndex = (pattern: RegExp) => job.steps.findIndex((step) => pattern.test(step.name ?? ''));
const autohealStep = job.steps.find((step) => step.id === 'autoheal')!;

describe('examples/github-actions/ci.yml', () => {
  it('gets cloud access through OIDC (id-token: write) with the AWS_ROLE_ARN role, no stored keys', () => {
    expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    const aws = job.steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(aws.with).toEqual({ 'role-to-assume': '${{ secrets.AWS_ROLE_ARN }}', 'aws-region': '${{ secrets.AWS_DEFAULT_REGION }}' });
    expect(JSON.stringify(workflow)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });

  it("uses the original project's secrets and RISK_THRESHOLD variable", () => {
    expect(workflow.env).toMatchObject({
      AWS_REGION: '${{ secrets.AWS_DEFAULT_REGION }}',
      EKS_CLUSTER_NAME: '${{ secrets.EKS_CLUSTER_NAME }}',
      RISK_THRESHOLD: "${{ vars.RISK_THRESHOLD || '0.50' }}",
      SLACK_WEBHOOK_URL: '${{ secrets.SLACK_WEBHOOK_URL }}',
    });
  });

  it('runs one deployment at a time without cancelling one in progress, with a job timeout and step timeouts', () => {
    expect(workflow.concurrency).toEqual({ group: 'deploy-prod', 'cancel-in-progress': false });
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    for (const step of job.steps.filter((candidate) => /build|rollout|load|autoheal/i.test(candidate.name ?? ''))) {
      expect(step['timeout-minutes'], step.name).toBeGreaterThan(0);
    }
    expect(autohealStep['timeout-minutes']).toBeLessThan(job['timeout-minutes']);
  });

  it('builds, applies, waits for rollouts, runs load, then predicts and heals, and always cleans up', () => {
    const order = [/build and push/i, /apply the manifests/i, /wait for the rollouts/i, /run load/i, /predict and auto-heal/i, /clean up/i].map(stepIndex);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(job.steps[order.at(-1)!]!.if).toBe('always()');
  });

  it('runs `autoheal run prod/backend` through the Prometheus service proxy', () => {
    expect(autohealStep.run).toMatch(/node packages\/server\/dist\/cli\.js run "\$NAMESPACE\/backend" \\\n\s+--prometheus-service monitoring\/prometheus-operated:9090/);
    expect(workflow.env.NAMESPACE).toBe('prod');
  });
});

describe('the autoheal step exit-code handling', () => {
  /** Runs the step's script as GitHub does (bash -eo pipefail) with a `node` that exits `code`. */
  function runStep(code: number): Promise<{ failed: boolean; stdout: string; output: string; args: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'autoheal-gha-'));
    const fakeNode = path.join(dir, 'node');
    writeFileSync(fakeNode, `#!/bin/sh\necho "$@" > "${dir}/args"\nexit ${code}\n`);
    chmodSync(fakeNode, 0o755);
    const script = path.join(dir, 'step.sh');
    writeFileSync(script, autohealStep.run!);
    writeFileSync(path.join(dir, 'output'), '');
    return new Promise((resolve) => {
      execFile(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', script],
        { env: { PATH: `${dir}:/usr/bin:/bin`, NAMESPACE: 'prod', GITHUB_OUTPUT: path.join(dir, 'output') } },
        (error, stdout) =>
          resolve({
            failed: error !== null,
            stdout,
            output: readFileSync(path.join(dir, 'output'), 'utf8'),
            args: readFileSync(path.join(dir, 'args'), 'utf8').trim(),
          }),
      );
    });
  }

  it.each([
    [0, false, /Healthy, or healed and kept/],
    [10, false, /::notice::Dry-run/],
    [20, true, /::error::Still at risk/],
    [30, false, /::warning::Unknown/],
    [40, false, /::warning::A safety rule/],
    [1, true, /::error::Usage or configuration error/],
    [2, true, /::error::autoheal failed unexpectedly \(exit 2\)/],
  ])('exit %i: job fails = %s', async (code, fails, message) => {
    const result = await runStep(code);
    expect(result.failed).toBe(fails);
    expect(result.stdout).toMatch(message);
    expect(result.output).toBe(`exit-code=${code}\n`);
    expect(result.args).toBe('packages/server/dist/cli.js run prod/backend --prometheus-service monitoring/prometheus-operated:9090');
  });
});
