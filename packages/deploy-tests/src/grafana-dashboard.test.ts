/**
 * The Grafana dashboard (manifests/components/grafana-dashboard) as a file and as the ConfigMap the
 * production overlay renders: well formed, laid out without overlaps, every query on the data
 * source variable and autoheal's job, every variable defined. Its PromQL is run against a real
 * Prometheus scraping a real server in packages/server (observability.int.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestsDir, render } from './render.js';

type GridPos = { h: number; w: number; x: number; y: number };
type Panel = { id: number; type: string; title: string; gridPos: GridPos; datasource?: { uid: string }; targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }> };
type Dashboard = { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string }> } };

const FILE = path.join(manifestsDir, 'components/grafana-dashboard/autoheal-dashboard.json');
const text = readFileSync(FILE, 'utf8');
const dashboard = JSON.parse(text) as Dashboard;
const queryPanels = dashboard.panels.filter((panel) => panel.type !== 'row');
/** Variables Grafana itself defines. */
const BUILT_IN = new Set(['__rate_interval', '__range', '__interval']);

describe('manifests/components/grafana-dashboard', () => {
  it('ships in the production overlay as a ConfigMap the Grafana sidecar picks up, holding the file unchanged', () => {
    const configMap = render('overlays/production').find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'autoheal-grafana-dashboard');
    expect(configMap?.metadata.namespace).toBe('monitoring');
    expect((configMap?.metadata.labels as Record<string, string>).grafana_dashboard).toBe('1');
    expect((configMap?.data as Record<string, string>)['autoheal-dashboard.json']).toBe(text);
  });

  it('has a stable uid and unique panel ids', () => {
    expect(dashboard.uid).toBe('autoheal-overview');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays the panels out on the 24-column grid without overlaps', () => {
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let column = x; column < x + w; column++) {
        for (let row = y; row < y + h; row++) {
          const key = `${column},${row}`;
          expect(cells.get(key), `${panel.title} overlaps ${cells.get(key)}`).toBeUndefined();
          cells.set(key, panel.title);
        }
      }
    }
  });

  it('queries the data source variable, selects autoheal by job, and uses only defined variables', () => {
    const defined = new Set(dashboard.templating.list.map((variable) => variable.name));
    expect(dashboard.templating.list.find((variable) => variable.name === 'datasource')?.type).toBe('datasource');
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, `${panel.title} has no query`).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe('${datasource}');
        expect(target.expr, panel.title).toContain('job="$job"');
        for (const [, name] of target.expr.matchAll(/\$\{?(\w+)/g)) expect(BUILT_IN.has(name!) || defined.has(name!), `${panel.title}: $${name}`).toBe(true);
      }
    }
  });

  it('covers what operators asked for: risk, verdicts, steps, suppressions, breaker, latency', () => {
    const titles = queryPanels.map((panel) => panel.title);
    for (const title of ['Risk per target', 'Verdict per target', 'Decisions by kind', 'Healing steps by step and outcome', 'Suppressions by reason', 'Circuit breaker', 'Evaluation latency']) {
      expect(titles).toContain(title);
    }
  });
});
