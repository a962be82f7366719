/**
 * @autoheal/sandbox: a local Kubernetes API emulator with simulated workloads, faults and
 * Prometheus-format metrics. `startSandbox()` serves it over HTTP with a kubeconfig;
 * `createSimulation()` is the same cluster without a server, for fast virtual-time runs.
 */
export { startSandbox, sandboxOptionsSchema, type Sandbox, type SandboxOptions, type SandboxHooks } from './sandbox.js';
export { createControlRoutes, advanceRequestSchema, type ControlRoutesOptions } from './sandbox-control-api.js';
export {
  createSimulation,
  type Simulation,
  type SimulationState,
  type SimulationRuntimeOptions,
  type ActiveFault,
} from './sim/simulation.js';
export type { WorkloadTruth, BreachInterval } from './sim/ground-truth.js';
export { DEFAULT_OBJECTIVE, availabilityObjectiveShape, violatesObjective, type AvailabilityObservation } from './sim/availability-objective.js';
export {
  simulationOptionsSchema,
  workloadSpecSchema,
  hpaSpecSchema,
  faultSpecSchema,
  faultTypes,
  saturationPeaks,
  deploymentRefSchema,
  loadSpecSchema,
  demoWorkloads,
  availabilityObjectiveSchema,
  SandboxValidationError,
  type SimulationOptions,
  type WorkloadSpec,
  type FaultSpec,
  type FaultType,
  type SaturationPeak,
  type DeploymentRef,
  type LoadSpec,
  type AvailabilityObjective,
} from './sim/simulation-options.js';
export { deploymentSignals, type DeploymentSignals } from './metrics/deployment-signals.js';

// The scenario catalogue shared by the trainer and the outcome benchmark.
export { createScenarioRandom, type ScenarioRandom } from './catalogue/scenario-random.js';
export {
  startScenario,
  scenarioDeployments,
  type ScenarioRun,
  type ScenarioWorkload,
  type ScenarioFault,
  type ScenarioDeploy,
  type ScenarioLoadChange,
  type ScenarioHpa,
  type ScenarioSimulation,
  type ScenarioChange,
} from './catalogue/scenario.js';
export { faultRemedies, faultPace, faultCausesPresent, remedies, type Remedy } from './catalogue/fault-remedies.js';
export {
  buildScenarioCatalogue,
  defaultWorkloadShapes,
  type CatalogueScenario,
  type ScenarioCatalogueOptions,
  type WorkloadShape,
} from './catalogue/scenario-catalogue.js';
export { createVirtualClock, createRealClock, defaultVirtualStartTime, type VirtualClock, type RealClock } from './base/sandbox-clock.js';
export { createSeededRandom, type SeededRandom } from './base/seeded-random.js';
export { metricFamilyDefinitions, type MetricSample, type MetricFamily, type MetricName } from './metrics/metric-families.js';
export { renderPrometheusText, prometheusTextContentType } from './metrics/prometheus-text.js';
export { computePodTemplateHash } from './controller/pod-template-hash.js';
export type { RollbackResult } from './controller/rollback.js';
export { startPrometheus, isPrometheusAvailable, type StartPrometheusOptions, type RunningPrometheus } from './testing-prometheus.js';

// The API layer.
export { createApiServer, type ApiServer, type ApiServerOptions } from './api/api-server.js';
export { createRequestLog, type RequestLog, type RequestLogEntry, type RequestLogInput } from './api/request-log.js';
export { createObjectStore, type ObjectStoreOptions } from './store/object-store.js';
export { writeKubeconfig, kubeconfigYaml, type KubeconfigOptions } from './api/kubeconfig.js';
export { StatusError } from './base/status-error.js';
export type { ObjectStore, StoreEvent, ListOptions } from './store/types.js';
export type { KubeObject, ObjectMeta, ResourceKey } from './base/kube-types.js';
export type { SandboxClock } from './base/sandbox-clock.js';
export type { ExecHandler, ExecResult } from './base/exec-handler.js';
export { defaultSaturationRampMs, saturationSurgeRequestsPerSecond, type SurgeSizing } from './sim/faults.js';
export { runCli as runSandboxCli, type CliIo as SandboxCliIo } from './sandbox-cli.js';
