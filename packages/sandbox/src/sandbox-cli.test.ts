import { describe, expect, it } from 'vitest';
import { CliUsageError, defaultCliKubeconfigPath, generatedWorkloads, parseCliArguments } from './sandbox-cli.js';

describe('autoheal-sandbox argument parsing', () => {
  it('parses start with defaults and with every flag', () => {
    expect(parseCliArguments(['start'])).toMatchObject({ command: 'start', port: 0, time: 'real', seed: 1, tickMs: 1000, kubeconfigPath: defaultCliKubeconfigPath });
    const parsed = parseCliArguments(['start', '--deployments', '12', '--port', '6443', '--kubeconfig', '/tmp/k', '--time', 'virtual', '--seed', '4', '--tick-ms', '500']);
    expect(parsed).toMatchObject({ command: 'start', port: 6443, kubeconfigPath: '/tmp/k', time: 'virtual', seed: 4, tickMs: 500 });
    expect(parsed.command === 'start' && parsed.deployments).toHaveLength(12);
  });

  it('generates the demo pair first, then spread workloads with unique names', () => {
    const workloads = generatedWorkloads(25);
    expect(workloads.slice(0, 2).map((workload) => `${workload.namespace}/${workload.name}`)).toEqual(['prod/backend', 'prod/frontend']);
    expect(new Set(workloads.map((workload) => `${workload.namespace}/${workload.name}`)).size).toBe(25);
  });

  it('parses fault inject and clear', () => {
    expect(parseCliArguments(['fault', 'inject', '--url', 'http://127.0.0.1:6443', '--namespace', 'prod', '--deployment', 'backend', '--type', 'memory-leak', '--strength', '0.5'])).toEqual({
      command: 'fault-inject', url: 'http://127.0.0.1:6443', namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 0.5,
    });
    expect(parseCliArguments(['fault', 'clear', '--url', 'http://127.0.0.1:6443', '--namespace', 'prod', '--deployment', 'backend'])).toEqual({
      command: 'fault-clear', url: 'http://127.0.0.1:6443', namespace: 'prod', deployment: 'backend',
    });
    expect(parseCliArguments(['kubeconfig'])).toEqual({ command: 'kubeconfig', kubeconfigPath: defaultCliKubeconfigPath });
  });

  it('names the bad flag and the fix', () => {
    expect(() => parseCliArguments(['start', '--port', 'abc'])).toThrow(/--port: must be a whole number/);
    expect(() => parseCliArguments(['start', '--time', 'fast'])).toThrow(/--time: must be "real" or "virtual"/);
    expect(() => parseCliArguments(['start', '--deployments', '0'])).toThrow(/--deployments: must be at least 1/);
    expect(() => parseCliArguments(['fault', 'inject', '--url', 'nope', '--namespace', 'prod', '--deployment', 'b', '--type', 'memory-leak'])).toThrow(/--url: must be the sandbox URL/);
    expect(() => parseCliArguments(['fault', 'inject', '--url', 'http://x', '--namespace', 'prod', '--deployment', 'b', '--type', 'disk-full'])).toThrow(/--type: must be one of memory-leak/);
    expect(() => parseCliArguments(['fault', 'inject', '--url', 'http://x', '--namespace', 'prod', '--deployment', 'b', '--type', 'memory-leak', '--strength', '1.5'])).toThrow(/--strength: must be a number in \(0, 1\]/);
    expect(() => parseCliArguments(['fault', 'inject', '--url', 'http://x', '--namespace', 'prod', '--deployment', 'b'])).toThrow(/--type: is required/);
    expect(() => parseCliArguments(['start', '--bogus', '1'])).toThrow(CliUsageError);
    expect(() => parseCliArguments(['launch'])).toThrow(/unknown command "launch"/);
  });
});
