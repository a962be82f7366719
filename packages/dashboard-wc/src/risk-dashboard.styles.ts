/**
 * Styles of `<risk-dashboard>`. Every colour comes from a `--risk-dashboard-*` custom property with
 * a light and a dark default; the defaults keep at least 4.5:1 contrast for text on their surface.
 *
 * Why one file of ~760 lines: it is declarations only, and most of it is shared — the theme tokens
 * of both colour schemes, and classes every panel uses (`.panel`, `.badge`, `.verdict`, `.facts`,
 * `.button`). Split by panel, each part would depend on the others' classes and the contrast rules
 * would be spread over many files. It is sectioned instead, one `---- <panel>` comment per panel of
 * `panels/`, in the order they appear on screen.
 */
import { css } from 'lit';

export const riskDashboardStyles = css`
  :host {
    /* Light defaults. Internal --_* variables let users override one property for both themes. */
    --_bg: var(--risk-dashboard-background, #f3f5f8);
    --_surface: var(--risk-dashboard-surface, #ffffff);
    --_text: var(--risk-dashboard-text, #1a1f2b);
    --_muted: var(--risk-dashboard-muted, #4d5566);
    --_border: var(--risk-dashboard-border, #c6cdd8);
    --_accent: var(--risk-dashboard-accent, #1d4ed8);
    --_healthy: var(--risk-dashboard-healthy, #166534);
    --_healthy-bg: #e3f4e8;
    --_at-risk: var(--risk-dashboard-at-risk, #b91c1c);
    --_at-risk-bg: #fde6e6;
    --_unknown: var(--risk-dashboard-unknown, #7c4a03);
    --_unknown-bg: #f8eed6;
    --_dry-run-bg: #e6ecfb;
    --_radius: var(--risk-dashboard-radius, 8px);
    --_gap: var(--risk-dashboard-gap, 16px);

    display: block;
    container-type: inline-size;
    color: var(--_text);
    background: var(--_bg);
    font-family: var(--risk-dashboard-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 14px;
    line-height: 1.45;
    color-scheme: light;
  }

  :host([theme='dark']) {
    --_bg: var(--risk-dashboard-background, #0f1319);
    --_surface: var(--risk-dashboard-surface, #181d26);
    --_text: var(--risk-dashboard-text, #e7eaf0);
    --_muted: var(--risk-dashboard-muted, #aab2c0);
    --_border: var(--risk-dashboard-border, #3a4252);
    --_accent: var(--risk-dashboard-accent, #8ab0ff);
    --_healthy: var(--risk-dashboard-healthy, #6fe3a0);
    --_healthy-bg: #143021;
    --_at-risk: var(--risk-dashboard-at-risk, #ff9d96);
    --_at-risk-bg: #3d1b1b;
    --_unknown: var(--risk-dashboard-unknown, #f3c553);
    --_unknown-bg: #3a2f12;
    --_dry-run-bg: #1f2a44;
    color-scheme: dark;
  }

  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light']):not([theme='dark'])) {
      --_bg: var(--risk-dashboard-background, #0f1319);
      --_surface: var(--risk-dashboard-surface, #181d26);
      --_text: var(--risk-dashboard-text, #e7eaf0);
      --_muted: var(--risk-dashboard-muted, #aab2c0);
      --_border: var(--risk-dashboard-border, #3a4252);
      --_accent: var(--risk-dashboard-accent, #8ab0ff);
      --_healthy: var(--risk-dashboard-healthy, #6fe3a0);
      --_healthy-bg: #143021;
      --_at-risk: var(--risk-dashboard-at-risk, #ff9d96);
      --_at-risk-bg: #3d1b1b;
      --_unknown: var(--risk-dashboard-unknown, #f3c553);
      --_unknown-bg: #3a2f12;
      --_dry-run-bg: #1f2a44;
      color-scheme: dark;
    }
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  .root {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    padding: var(--_gap);
    min-width: 0;
  }

  h2,
  h3,
  h4 {
    margin: 0;
  }

  .muted {
    color: var(--_muted);
  }
  .small {
    font-size: 12.5px;
  }
  .big {
    font-size: 24px;
    font-weight: 700;
  }
  code {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 12.5px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }

  .panel {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 12px 14px;
    min-width: 0;
  }
  .skipped {
    margin-top: 12px;
    border-left: 4px solid var(--_border);
  }
  .skipped__list {
    margin: 4px 0 0;
    padding-left: 18px;
    overflow-wrap: anywhere;
  }
  .section-title {
    font-size: 15px;
    margin-bottom: 8px;
  }

  /* ---- header */
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 8px 16px;
  }
  .header__title {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 4px 12px;
    min-width: 0;
  }
  .header__title h2 {
    font-size: 19px;
  }
  .header__badges {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .badge {
    display: inline-block;
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding: 1px 9px;
    font-size: 12px;
    font-weight: 600;
    background: var(--_surface);
  }
  .badge--small {
    padding: 0 6px;
    font-size: 11px;
  }
  .badge--dry-run {
    background: var(--_dry-run-bg);
    border-color: var(--_accent);
  }
  /* A held target (paused, maintenance, pause unknown): autoheal looks but does not act. */
  .badge--hold {
    background: var(--_unknown-bg);
    border-color: var(--_border);
    white-space: normal;
  }
  .badge--hold-rolling-out {
    background: var(--_dry-run-bg);
  }
  .badge--top {
    margin-left: 4px;
    background: var(--_at-risk-bg);
    color: var(--_at-risk);
    border-color: var(--_at-risk);
    font-size: 11px;
    padding: 0 6px;
  }
  .status {
    display: inline-flex;
    gap: 6px;
    align-items: center;
    border-radius: 999px;
    padding: 2px 10px;
    font-weight: 600;
    border: 1px solid var(--_border);
    background: var(--_surface);
  }
  .status--live .status__dot {
    color: var(--_healthy);
  }
  .status--retrying {
    color: var(--_at-risk);
    border-color: var(--_at-risk);
    background: var(--_at-risk-bg);
  }

  .error {
    border: 2px solid var(--_at-risk);
    background: var(--_at-risk-bg);
    color: var(--_text);
    border-radius: var(--_radius);
    padding: 10px 14px;
    display: flex;
    flex-wrap: wrap;
    gap: 6px 10px;
    align-items: center;
    overflow-wrap: anywhere;
  }

  /* ---- layout */
  .layout {
    display: grid;
    grid-template-columns: minmax(240px, 320px) minmax(0, 1fr);
    gap: var(--_gap);
    align-items: start;
  }
  @container (max-width: 760px) {
    .layout {
      grid-template-columns: minmax(0, 1fr);
    }
  }

  /* ---- target list */
  .target-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .card {
    display: grid;
    grid-template-columns: 92px minmax(0, 1fr);
    gap: 10px;
    align-items: center;
    padding: 10px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-left: 5px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
  }
  .card--healthy {
    border-left-color: var(--_healthy);
  }
  .card--at-risk {
    border-left-color: var(--_at-risk);
  }
  .card--unknown {
    border-left-color: var(--_unknown);
  }
  .card--selected {
    outline: 2px solid var(--_accent);
    outline-offset: -1px;
  }
  .card__name {
    font-weight: 700;
    overflow-wrap: anywhere;
  }
  .card__body {
    display: flex;
    flex-direction: column;
    gap: 2px;
    align-items: flex-start;
    min-width: 0;
  }

  .verdict {
    display: inline-flex;
    align-items: center;
    gap: 5px;
    border-radius: 4px;
    padding: 0 7px;
    font-weight: 700;
    font-size: 12.5px;
    border: 1px solid currentColor;
    white-space: nowrap;
  }
  .verdict--healthy {
    color: var(--_healthy);
    background: var(--_healthy-bg);
  }
  .verdict--at-risk {
    color: var(--_at-risk);
    background: var(--_at-risk-bg);
  }
  .verdict--unknown {
    color: var(--_unknown);
    background: var(--_unknown-bg);
    border-style: dashed;
  }

  /* ---- gauge */
  .gauge {
    width: 100%;
    height: auto;
    display: block;
  }
  .gauge path {
    fill: none;
    stroke-width: 9;
    stroke-linecap: round;
  }
  .gauge__track {
    stroke: var(--_border);
  }
  .gauge__track--unknown {
    stroke: var(--_unknown);
    stroke-dasharray: 3 5;
    stroke-width: 5 !important;
  }
  .gauge--healthy .gauge__value {
    stroke: var(--_healthy);
  }
  .gauge--at-risk .gauge__value {
    stroke: var(--_at-risk);
  }
  .gauge__threshold {
    stroke: var(--_text);
    stroke-width: 2.5;
  }
  .gauge__text {
    fill: var(--_text);
    font-size: 17px;
    font-weight: 700;
  }
  .gauge--unknown .gauge__text {
    fill: var(--_unknown);
  }
  .gauge__caption {
    fill: var(--_muted);
    font-size: 8.5px;
  }

  /* ---- detail */
  .detail {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    min-width: 0;
  }
  .detail__head {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 10px;
  }
  .detail__head > div:first-child {
    min-width: 0;
    flex: 1 1 260px;
  }
  .detail__title {
    font-size: 17px;
    overflow-wrap: anywhere;
  }
  .detail__verdict {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 10px;
    margin: 4px 0;
  }
  .unknown-note {
    border: 1px dashed var(--_unknown);
    background: var(--_unknown-bg);
    border-radius: 6px;
    padding: 6px 10px;
    margin: 6px 0;
  }
  .detail__grid {
    display: grid;
    grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
    gap: var(--_gap);
    align-items: start;
  }
  @container (max-width: 1100px) {
    .detail__grid {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .check {
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 4px;
    max-width: 100%;
  }
  .check__error {
    color: var(--_at-risk);
    font-weight: 600;
    margin: 4px 0;
    overflow-wrap: anywhere;
  }
  .check-hint {
    margin: 0;
  }

  .button {
    font: inherit;
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: var(--_text);
    border-radius: 6px;
    padding: 6px 14px;
    cursor: pointer;
    min-height: 36px;
  }
  .button--primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_surface);
    font-weight: 600;
  }
  .button:disabled {
    opacity: 0.65;
    cursor: progress;
  }

  /* ---- signals */
  .signals__table {
    width: 100%;
    border-collapse: collapse;
    table-layout: fixed;
  }
  .signals__table th,
  .signals__table td {
    text-align: left;
    padding: 5px 6px;
    border-bottom: 1px solid var(--_border);
    vertical-align: top;
    overflow-wrap: anywhere;
  }
  .signals__table thead th {
    font-size: 12px;
    color: var(--_muted);
  }
  .signals__table thead th:first-child {
    width: 42%;
  }
  .signal__name {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 12.5px;
    font-weight: 600;
  }
  .signal__unit {
    display: block;
    font-weight: 400;
  }
  .signal--top {
    background: var(--_at-risk-bg);
  }
  .signal--missing td:nth-child(2) {
    color: var(--_unknown);
  }
  .missing {
    font-weight: 700;
    display: block;
  }
  .contribution {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .contribution__bar {
    display: inline-block;
    height: 8px;
    border-radius: 4px;
    min-width: 2px;
    max-width: 60%;
  }
  .contribution__bar--up {
    background: var(--_at-risk);
  }
  .contribution__bar--down {
    background: var(--_healthy);
  }
  .contribution__text {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  @container (max-width: 480px) {
    /* On a phone the numbers say enough; the bars would squeeze them onto two lines. */
    .contribution__bar {
      display: none;
    }
    .signals__table thead th:first-child {
      width: 48%;
    }
  }

  /* ---- ladder */
  .ladder p {
    margin: 4px 0;
  }
  .ladder__steps {
    list-style: none;
    padding: 0;
    margin: 4px 0 8px;
  }
  .ladder__step {
    padding: 2px 0;
  }
  .ladder__step--done {
    color: var(--_muted);
    text-decoration: line-through;
  }
  .ladder__step--next {
    font-weight: 700;
  }
  .facts {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 3px 12px;
    margin: 0;
  }
  .facts dt {
    color: var(--_muted);
  }
  .facts dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .circuit--open {
    color: var(--_at-risk);
  }
  .ops {
    margin: 4px 0;
    padding-left: 18px;
  }

  /* ---- chart */
  .chart {
    width: 100%;
    height: auto;
    display: block;
  }
  .chart__grid line {
    stroke: var(--_border);
    stroke-width: 1;
  }
  .chart__axis {
    fill: var(--_muted);
    font-size: 12px;
  }
  .chart__threshold {
    stroke: var(--_at-risk);
    stroke-width: 1.5;
    stroke-dasharray: 6 4;
  }
  .chart__threshold-label {
    fill: var(--_at-risk);
    font-size: 12px;
    font-weight: 600;
    /* A halo in the surface colour keeps the label readable where the line crosses it. */
    paint-order: stroke;
    stroke: var(--_surface);
    stroke-width: 4px;
    stroke-linejoin: round;
  }
  .chart__line {
    fill: none;
    stroke: var(--_accent);
    stroke-width: 2.5;
    stroke-linejoin: round;
  }
  .chart__point {
    fill: var(--_accent);
  }
  .chart__point--at-risk {
    fill: var(--_at-risk);
  }
  .chart__unknown circle {
    fill: var(--_surface);
    stroke: var(--_unknown);
    stroke-width: 2;
  }
  .chart__action line {
    stroke: var(--_muted);
    stroke-width: 1;
    stroke-dasharray: 2 3;
  }
  .chart__action--heal path {
    fill: var(--_at-risk);
  }
  .chart__action--kept circle {
    fill: var(--_healthy);
  }
  .chart__action--handoff rect {
    fill: var(--_text);
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 14px;
    margin: 6px 0 0;
  }
  .legend__swatch {
    display: inline-block;
    width: 18px;
    height: 0;
    vertical-align: middle;
    margin-right: 5px;
    border-top: 3px solid var(--_accent);
  }
  .legend__swatch--threshold {
    border-top: 2px dashed var(--_at-risk);
  }
  .legend__glyph {
    margin-right: 4px;
  }
  .legend__glyph--heal {
    color: var(--_at-risk);
  }
  .legend__glyph--kept {
    color: var(--_healthy);
  }

  /* ---- what-if */
  .what-if__fields {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
    gap: 10px 14px;
  }
  /* Labels wrap to one or two lines: push the inputs of a row to the same baseline. */
  .field input {
    margin-top: auto;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 3px;
    min-width: 0;
  }
  .field label {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 12.5px;
    overflow-wrap: anywhere;
  }
  .field input {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_muted);
    border-radius: 6px;
    padding: 5px 8px;
    min-height: 34px;
    width: 100%;
  }
  .field--error input {
    border: 2px solid var(--_at-risk);
  }
  .field__error {
    color: var(--_at-risk);
    font-size: 12.5px;
    font-weight: 600;
  }
  .what-if__actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin-top: 12px;
  }
  .what-if__result {
    margin-top: 10px;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 12px;
  }
  .what-if__contributions {
    flex-basis: 100%;
    margin: 0;
    padding-left: 18px;
    font-size: 12.5px;
  }

  /* ---- log */
  .log__list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .log__row {
    border-bottom: 1px solid var(--_border);
  }
  .log__toggle {
    all: unset;
    box-sizing: border-box;
    width: 100%;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 2px 10px;
    padding: 6px 4px;
    cursor: pointer;
    color: var(--_text);
    font-size: 13px;
  }
  .log__toggle:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: -3px;
  }
  .log__time {
    font-variant-numeric: tabular-nums;
    color: var(--_muted);
  }
  .log__key {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .log__prob {
    font-variant-numeric: tabular-nums;
    min-width: 4ch;
  }
  .log__decision {
    flex: 1 1 200px;
    min-width: 0;
  }
  .record {
    padding: 6px 4px 12px 22px;
    min-width: 0;
  }
  .record__json {
    margin: 8px 0 0;
    max-height: 320px;
    overflow: auto;
    font-size: 12px;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 8px;
  }

  /* Windows high contrast and other forced-colour modes: keep the SVG marks visible. */
  @media (forced-colors: active) {
    .gauge__value,
    .chart__line {
      stroke: Highlight;
    }
    .gauge__track,
    .gauge__threshold,
    .chart__threshold,
    .chart__grid line {
      stroke: CanvasText;
    }
    .gauge__text,
    .gauge__caption,
    .chart__axis,
    .chart__threshold-label {
      fill: CanvasText;
    }
    .chart__point,
    .chart__action path,
    .chart__action circle,
    .chart__action rect {
      fill: CanvasText;
    }
  }
`;
