/** The risk-over-time chart: inline SVG, no chart library. */
import { svg, type SVGTemplateResult } from 'lit';
import { formatPercent, formatTime, DECISION_LABELS } from '../format.js';
import type { DecisionRecord } from '../types.js';

const WIDTH = 600;
const HEIGHT = 200;
const PAD = { left: 40, right: 12, top: 14, bottom: 26 };

/** The decisions that mark the chart: a step ran, the result was kept, or a human took over. */
const MARKED = new Set<DecisionRecord['decision']>(['heal', 'kept', 'handoff']);

/**
 * Renders the chart of `history` (oldest first). Gaps in the line are evaluations whose verdict
 * was unknown: they are drawn as hollow "?" marks on the axis, never as zero risk.
 */
export function renderRiskChart(history: readonly DecisionRecord[], threshold: number, key: string): SVGTemplateResult {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const times = history.map((record) => Date.parse(record.time));
  const first = times.length > 0 ? Math.min(...times) : 0;
  const last = times.length > 0 ? Math.max(...times) : 1;
  const span = last - first || 1;
  const x = (time: number) => PAD.left + (times.length < 2 ? plotWidth / 2 : ((time - first) / span) * plotWidth);
  const y = (probability: number) => PAD.top + (1 - probability) * plotHeight;

  // One path with a new sub-path after every unknown point, so gaps stay visible.
  let d = '';
  let penDown = false;
  history.forEach((record, index) => {
    const probability = record.assessment.probability;
    if (probability === null || record.assessment.verdict === 'unknown') {
      penDown = false;
      return;
    }
    d += `${penDown ? 'L' : 'M'} ${x(times[index]!).toFixed(1)} ${y(probability).toFixed(1)} `;
    penDown = true;
  });

  const unknownCount = history.filter((r) => r.assessment.verdict === 'unknown').length;
  const actions = history.filter((r) => MARKED.has(r.decision));
  const latest = history.at(-1);
  const label =
    history.length === 0
      ? `Risk over time for ${key}: no evaluations yet`
      : `Risk over time for ${key}: ${history.length} evaluations from ${formatTime(first)} to ${formatTime(last)}, ` +
        `latest ${formatPercent(latest?.assessment.probability)}, threshold ${formatPercent(threshold)}, ` +
        `${unknownCount} unknown, ${actions.length} action marker${actions.length === 1 ? '' : 's'}.`;

  return svg`<svg part="chart" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${label}>
    <g class="chart__grid">
      ${[0, 0.5, 1].map(
        (p) => svg`<line x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${y(p)} y2=${y(p)} />
          <text class="chart__axis" x=${PAD.left - 6} y=${y(p) + 4} text-anchor="end">${formatPercent(p)}</text>`,
      )}
    </g>
    ${history.length > 0
      ? svg`<text class="chart__axis" x=${PAD.left} y=${HEIGHT - 6} text-anchor="start">${formatTime(first)}</text>
          <text class="chart__axis" x=${WIDTH - PAD.right} y=${HEIGHT - 6} text-anchor="end">${formatTime(last)}</text>`
      : svg`<text class="chart__axis" x=${WIDTH / 2} y=${HEIGHT / 2} text-anchor="middle">No evaluations yet</text>`}
    <line class="chart__threshold" x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${y(threshold)} y2=${y(threshold)} />
    <text class="chart__threshold-label" x=${PAD.left + 6} y=${y(threshold) - 6} text-anchor="start">threshold ${formatPercent(threshold)}</text>
    ${actions.map((record) => {
      const cx = x(Date.parse(record.time));
      return svg`<g class="chart__action chart__action--${record.decision}">
        <title>${formatTime(record.time)}: ${DECISION_LABELS[record.decision]}${record.action ? ` (${record.action.step})` : ''}</title>
        <line x1=${cx} x2=${cx} y1=${PAD.top} y2=${HEIGHT - PAD.bottom} />
        ${record.decision === 'heal'
          ? svg`<path d="M ${cx - 6} ${PAD.top - 2} L ${cx + 6} ${PAD.top - 2} L ${cx} ${PAD.top + 8} Z" />`
          : record.decision === 'kept'
            ? svg`<circle cx=${cx} cy=${PAD.top + 3} r="5" />`
            : svg`<rect x=${cx - 5} y=${PAD.top - 2} width="10" height="10" />`}
      </g>`;
    })}
    <path class="chart__line" d=${d.trim()} />
    ${history.map((record, index) =>
      record.assessment.probability === null || record.assessment.verdict === 'unknown'
        ? svg`<g class="chart__unknown"><title>${formatTime(record.time)}: unknown${record.assessment.reason ? ` (${record.assessment.reason})` : ''}</title>
            <circle cx=${x(times[index]!)} cy=${y(0) - 6} r="5" /></g>`
        : history.length <= 60
          ? svg`<circle class="chart__point chart__point--${record.assessment.verdict}" cx=${x(times[index]!)} cy=${y(record.assessment.probability)} r="3"><title>${formatTime(record.time)}: ${formatPercent(record.assessment.probability)}</title></circle>`
          : null,
    )}
  </svg>`;
}
