/** @autoheal/core: Interfaces, schemas, the healing pipeline and its safety policy. */
export {};
