/** @autoheal/server: The autoheal reference server (Hapi) and the autoheal CLI. */
export {};
