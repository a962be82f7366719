/** The half-circle risk gauge: the probability as an arc, the threshold as a tick. */
import { svg, type SVGTemplateResult } from 'lit';
import { formatPercent } from '../format.js';
import type { Verdict } from '../types.js';

const CX = 50;
const CY = 50;
const R = 40;

/** The point on the half circle for a fraction in [0, 1] (0 = left end, 1 = right end). */
function pointAt(fraction: number): [number, number] {
  const clamped = Math.min(1, Math.max(0, fraction));
  const angle = Math.PI * (1 - clamped);
  return [CX + R * Math.cos(angle), CY - R * Math.sin(angle)];
}

function arc(fraction: number): string {
  const [x, y] = pointAt(fraction);
  // Sweep flag 1 draws clockwise (left → top → right); a half circle never needs the large arc.
  return `M ${CX - R} ${CY} A ${R} ${R} 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}`;
}

/**
 * Renders the gauge. It is an image with a full text label; the caller shows the verdict in words
 * next to it, so the gauge's colour is never the only signal.
 */
export function renderGauge(probability: number | null, threshold: number, verdict: Verdict, label: string): SVGTemplateResult {
  const known = probability !== null && verdict !== 'unknown';
  const [tx1, ty1] = pointAt(threshold);
  const tickOuter: [number, number] = [CX + (tx1 - CX) * 1.22, CY + (ty1 - CY) * 1.22];
  const tickInner: [number, number] = [CX + (tx1 - CX) * 0.78, CY + (ty1 - CY) * 0.78];
  return svg`<svg part="gauge" class="gauge gauge--${verdict}" viewBox="0 0 100 62" role="img" aria-label=${label}>
    <path class="gauge__track ${known ? '' : 'gauge__track--unknown'}" d=${arc(1)} />
    ${known ? svg`<path class="gauge__value" d=${arc(probability)} />` : null}
    <line class="gauge__threshold" x1=${tickInner[0].toFixed(2)} y1=${tickInner[1].toFixed(2)} x2=${tickOuter[0].toFixed(2)} y2=${tickOuter[1].toFixed(2)} />
    <text class="gauge__text" x="50" y="48" text-anchor="middle">${known ? formatPercent(probability) : '?'}</text>
    <text class="gauge__caption" x="50" y="60" text-anchor="middle">threshold ${formatPercent(threshold)}</text>
  </svg>`;
}
