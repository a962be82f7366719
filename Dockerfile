# The autoheal server image: `serve` (API, dashboard, watch loop) by default, any CLI command as args.
#   docker build -t ghcr.io/<you>/autoheal:0.1.0 .
# A test (packages/deploy-tests/src/dockerfile.test.ts) checks the paths used here and runs the
# entry command from a production-like install.

# --- build: every workspace compiled to dist/ -------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
# `npm run build` runs scripts/setup.mjs (npm ci only if needed) and then turbo.
RUN npm ci --no-audit --no-fund && npm run build
# Keep only production dependencies, and gather what the runtime needs: each workspace's
# package.json (node_modules/@autoheal/* are links to them) and its dist/.
RUN rm -rf node_modules && npm ci --omit=dev --no-audit --no-fund \
 && mkdir -p /out \
 && for pkg in packages/*/ packages/adapters/*/; do \
      if [ ! -f "$pkg/package.json" ]; then continue; fi; \
      mkdir -p "/out/$pkg" && cp "$pkg/package.json" "/out/$pkg"; \
      if [ -d "$pkg/dist" ]; then cp -r "$pkg/dist" "/out/$pkg"; fi; \
    done

# --- runtime -------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# A fixed non-root UID, the one the manifests name in runAsUser (Kubernetes can then check
# runAsNonRoot without reading /etc/passwd).
RUN groupadd --gid 10001 autoheal && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin autoheal
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /out/packages ./packages
# The shipped risk models; the config's model.path is /app/models/risk-v2.onnx, model.compatibilityPath /app/models/risk-v1.onnx.
COPY models ./models
USER 10001:10001
EXPOSE 5000
ENTRYPOINT ["node", "packages/server/dist/cli.js"]
CMD ["serve"]
