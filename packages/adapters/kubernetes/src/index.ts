/** @autoheal/adapter-kubernetes: Healer that restarts, scales, clears caches in and rolls back Deployments. */
export {};
