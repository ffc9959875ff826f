# carrier: multi-stage. The build stage has the toolchain the native addons need
# (sqlite3, ssh2's cpu-features: python3, make, g++ come with the full bookworm image);
# the runtime stage is slim, holds only the production tree `pnpm deploy` makes plus the
# board's files, and runs as an unprivileged user who cannot write the code.
# tools/docker-replay replays these steps without a Docker engine (CI runs it): keep to
# the instructions it knows (FROM, WORKDIR, ENV, RUN, COPY, USER, EXPOSE, VOLUME,
# HEALTHCHECK, CMD) and to paths under /app and /data.
FROM node:20-bookworm AS build
WORKDIR /app
# pnpm pinned by version (no corepack: its signature check fails on some registry mirrors).
RUN npm install -g pnpm@10.34.9
# Manifests first, so the dependency layer is rebuilt only when one of them changes.
# Every workspace package is listed: a missing one fails the frozen install.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm's patches of dependencies (package.json, pnpm.patchedDependencies), applied at install.
COPY patches/ patches/
COPY packages/client/package.json packages/client/
COPY packages/core/package.json packages/core/
COPY packages/doors/package.json packages/doors/
COPY packages/engine/package.json packages/engine/
COPY packages/rlogin/package.json packages/rlogin/
COPY packages/server/package.json packages/server/
COPY packages/ssh/package.json packages/ssh/
COPY packages/store/package.json packages/store/
COPY packages/sysop/package.json packages/sysop/
COPY packages/telnet/package.json packages/telnet/
COPY packages/terminal/package.json packages/terminal/
COPY packages/web/package.json packages/web/
COPY packages/zmodem/package.json packages/zmodem/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm run build
# The production tree: @carrier/server with its production dependencies, the workspace
# packages it uses copied in (dist/ and web's assets/ with them). `--legacy`: pnpm 10's
# default deploy needs inject-workspace-packages, which would make every local install
# copy the packages instead of linking them.
RUN pnpm --filter @carrier/server deploy --legacy --prod prod/server

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The code belongs to root and is read-only to carrier, who runs as the image's `node`
# user; /data (host keys, script cache, logs, SQLite when no DATABASE_URL) is the only
# place it writes.
RUN mkdir -p /data && chown node:node /data
COPY --from=build /app/prod/server ./packages/server/
COPY --from=build /app/config ./config/
COPY --from=build /app/art ./art/
COPY --from=build /app/scripts ./scripts/
USER node
# config/docker.yaml: the defaults of config/carrier.yaml, plus what a container needs
# (bind 0.0.0.0, data in /data, the health endpoint on 9100 for the check below).
# DATABASE_URL and REDIS_URL come from the environment (see docker-compose.yml).
ENV CARRIER_CONFIG=/app/config/docker.yaml
# glibc keeps each password hash's 16 MiB in the thread that made it unless the mmap
# threshold is fixed (docs/benchmarks.md, idle memory): what npm start sets too.
ENV MALLOC_MMAP_THRESHOLD_=131072
VOLUME ["/data"]
# telnet, ssh, the web terminal, and the health/metrics endpoint (keep 9100 off the
# public internet: docker-compose.yml does not publish it).
EXPOSE 2323 2222 8080 9100
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9100/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "packages/server/dist/cli.js", "start"]
