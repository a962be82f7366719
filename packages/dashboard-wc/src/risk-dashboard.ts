/** Registers `<risk-dashboard>`. Import this file (or the package entry) once, for its side effect. */
import { RiskDashboard } from './risk-dashboard.component.js';

export { RiskDashboard };

// Guarded so that loading the bundle twice (e.g. two micro-frontends) does not throw.
if (!customElements.get('risk-dashboard')) {
  customElements.define('risk-dashboard', RiskDashboard);
}

declare global {
  interface HTMLElementTagNameMap {
    'risk-dashboard': RiskDashboard;
  }
}
