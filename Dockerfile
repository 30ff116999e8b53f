# One image for every Fluxi service; the service is chosen with --target.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production FLUXI_DATA_DIR=/var/lib/fluxi
ENTRYPOINT ["node", "apps/server/dist/bin.js"]
CMD ["--target", "all"]
