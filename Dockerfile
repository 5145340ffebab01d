# One image for every service; docker-compose.yml picks the service by its command.
# Build stage: compile the TypeScript to plain JavaScript (npm run build -> dist/).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies and the compiled services only. Each service runs
# as plain `node` (PID 1 of its container, no npm, sh or tsx in between), so `docker stop`'s
# SIGTERM reaches it and it stops gracefully within SHUTDOWN_TIMEOUT_MS (default 10 s); give
# the container a longer grace period than that (docker-compose.yml: stop_grace_period 15 s).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The documents volume mounts here: owned by the user the services run as, so leave can write it.
RUN mkdir -p /var/lib/leave-graph/documents && chown -R node:node /var/lib/leave-graph
USER node
EXPOSE 4000 4001 4002 4003 4004 4005
# Every service answers /health on its PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/gateway/main.js"]
