# One image for every Fluxi service; the service is chosen with --target (default: all).
#   docker build -t fluxi .
#   docker run -p 4000:4000 -v fluxi:/var/lib/fluxi -e NATS_URL=… -e REDIS_URL=… fluxi
# The image holds Node and Fluxi only: `--target all` needs NATS_URL and REDIS_URL (there is no
# nats-server or redis-server in it to start); the stores default to PGlite and chDB under
# /var/lib/fluxi. BASE: any glibc image with Node >= 20.19, npm and /bin/sh.
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS build
WORKDIR /app
COPY . .
# Dev dependencies build the code, then leave: the final stage copies production ones only.
# Install scripts run as package.json's allowScripts says.
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf /root/.npm

FROM ${BASE}
# A fixed uid/gid, not one of the base image's users, so a volume can be prepared for it.
# /var/lib/fluxi-artifacts is where docker-compose.yml and k8s/ mount the shared artifacts:
# a new named volume takes this folder's owner.
RUN echo 'fluxi:x:10001:10001:Fluxi:/var/lib/fluxi:/sbin/nologin' >> /etc/passwd \
 && echo 'fluxi:x:10001:' >> /etc/group \
 && mkdir -p /var/lib/fluxi /var/lib/fluxi-artifacts \
 && chown 10001:10001 /var/lib/fluxi /var/lib/fluxi-artifacts
# MALLOC_ARENA_MAX=2: glibc's malloc keeps one arena per thread that allocated (chDB's pools, V8's
# compiler threads) and rarely gives their freed memory back: 40-60 MB less resident (issue 14).
# MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ fixed at 128 KiB: glibc otherwise raises them after
# large buffers are freed, and keeps later ones in its heap: ~35 MB less after work.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    FLUXI_DATA_DIR=/var/lib/fluxi \
    FLUXI_GATEWAY__HOST=0.0.0.0
WORKDIR /app
EXPOSE 4000
USER 10001:10001
# --max-semi-space-size=4: V8's young generation at 4 MB per half instead of 16: ~75 MB less resident
# after work, no CPU cost measured (bench/README.md, issue 14).
ENTRYPOINT ["node", "--max-semi-space-size=4", "apps/server/dist/bin.js"]
CMD ["--target", "all"]
# Last, so that no later step copies the large node_modules again (the classic builder on
# vfs storage copies the whole filesystem for every step). Owned by root: the running user
# reads the code but cannot change it.
COPY --from=build /app /app
