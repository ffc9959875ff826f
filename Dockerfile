# carrier: multi-stage. The build stage has the toolchain the native addons need
# (sqlite3, ssh2's cpu-features: python3, make, g++ come with the full bookworm image);
# the runtime stage is slim, holds only production dependencies and the compiled
# JavaScript, and runs as an unprivileged user who cannot write the code.
FROM node:20-bookworm AS build
WORKDIR /app
RUN npm install -g pnpm@10
# Manifests first, so the dependency layer is rebuilt only when one of them changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/telnet/package.json packages/telnet/
COPY packages/rlogin/package.json packages/rlogin/
COPY packages/ssh/package.json packages/ssh/
COPY packages/terminal/package.json packages/terminal/
COPY packages/store/package.json packages/store/
COPY packages/engine/package.json packages/engine/
COPY packages/client/package.json packages/client/
COPY packages/server/package.json packages/server/
RUN pnpm install --frozen-lockfile
COPY . .
RUN node node_modules/typescript/bin/tsc -b packages/server packages/client \
 && pnpm prune --prod \
 && rm -rf tests tools/fuzz

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The code belongs to root and is read-only to carrier; /data (host keys, script cache,
# logs, SQLite when no DATABASE_URL) is the only place it writes.
RUN groupadd --system carrier \
 && useradd --system --gid carrier --home-dir /data --shell /usr/sbin/nologin carrier \
 && mkdir -p /data && chown carrier:carrier /data
COPY --from=build /app /app
USER carrier
# config/docker.yaml: the defaults of config/carrier.yaml, plus what a container needs
# (bind 0.0.0.0, data in /data, the health endpoint on 9100 for the check below).
# DATABASE_URL and REDIS_URL come from the environment (see docker-compose.yml).
ENV CARRIER_CONFIG=/app/config/docker.yaml
VOLUME ["/data"]
# telnet, ssh, and the health/metrics endpoint (keep 9100 off the public internet:
# docker-compose.yml does not publish it).
EXPOSE 2323 2222 9100
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9100/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "packages/server/dist/cli.js", "start"]
