# The dcbox image: one emulated host (its NATS server and its service) per container, or the
# compose backplane. No registry is needed: BASE defaults to dcbox-base:local, which
# `bash scripts/docker-setup.sh` makes from this machine's own node and nats-server.
# The base needs node and openssl (the management module makes its Redfish certificate with it).
# With a registry:  docker build --build-arg BASE=node:20-bookworm-slim --build-arg NATS=nats:2.10-alpine -t dcbox:local .
# (NATS names an image with nats-server at /usr/local/bin/nats-server, as the official
# nats:*-alpine images have it.) Build dcbox first: npm ci && npm run build.
# dcbox itself builds it from a context it assembles (orchestrator/containers/image.ts): the files
# below and a node_modules of only the packages dcbox loads, found wherever they are installed,
# so a dcbox installed in another project builds the same image whatever that project's layout.
ARG BASE=dcbox-base:local
ARG NATS=dcbox-base:local
FROM ${NATS} AS nats

FROM ${BASE}
COPY --from=nats /usr/local/bin/nats-server /usr/local/bin/nats-server
WORKDIR /opt/dcbox
COPY package.json ./
COPY node_modules ./node_modules
COPY proto ./proto
COPY topologies ./topologies
COPY observability ./observability
COPY dist ./dist
# The hash of the sources (orchestrator/containers/image.ts), so a stale image is rebuilt.
ARG SOURCE=unknown
LABEL dcbox.image=app dcbox.source=${SOURCE}
ENTRYPOINT ["node", "/opt/dcbox/dist/orchestrator/containers/host.js"]
