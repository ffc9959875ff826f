# Multi-stage: build with the toolchain the native addons need, run as a non-root user.
FROM node:20-bookworm AS build
WORKDIR /app
RUN npm install -g pnpm@10
COPY . .
RUN pnpm install --frozen-lockfile && node node_modules/typescript/bin/tsc -b packages/server packages/client \
 && pnpm prune --prod

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --home /data carrier && mkdir -p /data && chown carrier /data
USER carrier
ENV CARRIER_DATA_DIR=/data CARRIER_HOST=0.0.0.0
EXPOSE 2323 2222
CMD ["node", "packages/server/dist/cli.js", "start"]
