/** `GET /openapi.json`: the OpenAPI 3.1 document, generated from the schemas that validate the requests. */
import type Hapi from '@hapi/hapi';
import { completeFeatureVectorSchema } from '@autoheal/core';
import { routeAccess } from '../auth.js';
import { buildOpenApiDocument } from '../openapi.js';

/** Options of {@link openApiPlugin}. */
export interface OpenApiPluginOptions {
  version: string;
  /** The model's features: `/predict`'s request schema. */
  featureNames: readonly string[];
}

/** The OpenAPI route. */
export const openApiPlugin: Hapi.Plugin<OpenApiPluginOptions> = {
  name: 'autoheal-openapi',
  register(server, options) {
    const document = buildOpenApiDocument({ version: options.version, predictRequestSchema: completeFeatureVectorSchema(options.featureNames) });
    // Open: it describes the API, it holds no data.
    server.route({ method: 'GET', path: '/openapi.json', options: { app: routeAccess('open') }, handler: () => document });
  },
};
