# syntax=docker/dockerfile:1
# tensor-init: the HTTP service on the embedded CPU engine (node-stack-notes §7).
#
#   docker build -t tensor-init .
#   docker run --rm -p 8080:8080 tensor-init
#
# Base image: Node 24 LTS on Debian bookworm, pinned to an exact release. The build machines and
# CI of this project cannot pull images, so the digest is added at release time
# (FROM node:24.21.0-bookworm-slim@sha256:<digest from `docker buildx imagetools inspect`>).
FROM node:24.21.0-bookworm-slim AS base
WORKDIR /app

# Production dependencies only. .npmrc sets ignore-scripts=true on purpose: @frost-beta/mlx's
# install script downloads a build from GitHub, while its npm tarball already ships the Linux one.
FROM base AS deps
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

# Full install to compile: TypeScript to dist/, AssemblyScript kernels to build/wasm/.
FROM base AS build
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY assembly ./assembly
COPY src ./src
RUN npm run build

FROM base AS runtime
# liblapack3/libblas3: the optional MLX engine (@frost-beta/mlx's Linux build) links against them.
# tini as PID 1 forwards signals and reaps children (node-stack-notes §7).
RUN apt-get update \
  && apt-get install -y --no-install-recommends liblapack3 libblas3 tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY --chown=node:node package.json ./
COPY --chown=node:node --from=deps /app/node_modules ./node_modules
COPY --chown=node:node --from=build /app/dist ./dist
COPY --chown=node:node --from=build /app/build/wasm ./build/wasm
COPY --chown=node:node openapi ./openapi
USER node
EXPOSE 8080
# Exec form: no shell needed; Node 24 has a global fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/server.js"]
