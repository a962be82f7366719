/** `GET /openapi.json`: the OpenAPI 3.1 document, generated from the schemas that validate the requests. */
import type Hapi from '@hapi/hapi';
import { z } from 'zod';
import { routeAccess } from '../auth.js';
import { buildOpenApiDocument } from '../openapi.js';
import type { PredictRouter } from '../predict-models.js';

/** Options of {@link openApiPlugin}. */
export interface OpenApiPluginOptions {
  version: string;
  /** The models `/predict` answers with: its request schema is one of their bodies. */
  router: PredictRouter;
}

/** The OpenAPI route. */
export const openApiPlugin: Hapi.Plugin<OpenApiPluginOptions> = {
  name: 'autoheal-openapi',
  register(server, options) {
    const bodies = options.router.models.map((model, index) =>
      model.schema.describe(
        index === 0
          ? `Answered by ${model.riskModel.name} ${model.riskModel.version}, the judging model (feature set ${model.featureSet}).`
          : `The original project's body, answered by ${model.riskModel.name} ${model.riskModel.version} (feature set ${model.featureSet}) at its own tuned threshold.`,
      ),
    );
    const predictRequestSchema = bodies.length === 1 ? bodies[0]! : z.union(bodies as [z.ZodType, z.ZodType, ...z.ZodType[]]);
    const document = buildOpenApiDocument({ version: options.version, predictRequestSchema });
    // Open: it describes the API, it holds no data.
    server.route({ method: 'GET', path: '/openapi.json', options: { app: routeAccess('open') }, handler: () => document });
  },
};
