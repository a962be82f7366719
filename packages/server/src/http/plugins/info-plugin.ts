/** `GET /api/info`: what the server runs and how its policy is configured (the {@link ServerInfo} wire type). */
import type Hapi from '@hapi/hapi';
import { featureDefinition, type RiskModel, type ServerInfo } from '@autoheal/core';

/** The parts of {@link ServerInfo} that come from the configuration rather than from the model. */
export type ServerInfoSettings = Pick<ServerInfo, 'dryRun' | 'mode' | 'leaderElection' | 'policy'>;

/** Options of {@link infoPlugin} (and {@link buildServerInfo}). */
export interface InfoPluginOptions {
  version: string;
  readOnly: boolean;
  riskModel: RiskModel;
  /** The threshold `/predict` judges against. */
  threshold: number;
  settings: ServerInfoSettings;
}

/** The answer of `GET /api/info`; it does not change while the server runs. */
export function buildServerInfo(options: InfoPluginOptions): ServerInfo {
  const { riskModel, settings } = options;
  return {
    name: 'autoheal',
    version: options.version,
    readOnly: options.readOnly,
    dryRun: settings.dryRun,
    mode: settings.mode,
    leaderElection: settings.leaderElection,
    model: { name: riskModel.name, version: riskModel.version, threshold: options.threshold },
    featureNames: [...riskModel.featureNames],
    // Seed and v2 features have core's definitions; a model with features of its own has none here: unit and description stay empty.
    features: Object.fromEntries(
      riskModel.featureNames.map((name) => [name, { unit: featureDefinition(name)?.unit ?? '', description: featureDefinition(name)?.description ?? '' }]),
    ),
    policy: settings.policy,
  };
}

/** The server-info route. */
export const infoPlugin: Hapi.Plugin<InfoPluginOptions> = {
  name: 'autoheal-info',
  register(server, options) {
    const info = buildServerInfo(options);
    server.route({ method: 'GET', path: '/api/info', handler: () => info });
  },
};
