/** @autoheal/dashboard-wc: <risk-dashboard>: a drop-in Lit web component for autoheal. */
export {};
