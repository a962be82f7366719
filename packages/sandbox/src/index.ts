/** @autoheal/sandbox: A local Kubernetes API emulator with simulated workloads, faults and Prometheus-format metrics. */
export {};
