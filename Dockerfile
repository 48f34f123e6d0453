# syntax=docker/dockerfile:1
# Portal: the Vue app, built into pb_public/portal.
FROM node:20-bookworm-slim AS portal
WORKDIR /src/portal
COPY portal/package.json portal/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY portal/ ./
RUN mkdir -p ../pb_public/portal && npm run build

# Build: a static binary with the portal embedded.
FROM golang:1.27-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=go1.27.3
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=portal /src/pb_public/portal ./pb_public/portal
RUN go build -trimpath -ldflags="-s -w" -o /out/ezscale . \
 && mkdir -p /out/pb_data

# Run: no shell, no package manager, a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ezscale /ezscale
COPY --from=build --chown=nonroot:nonroot /out/pb_data /pb_data
USER nonroot:nonroot
VOLUME ["/pb_data"]
EXPOSE 8090
ENTRYPOINT ["/ezscale"]
CMD ["serve", "--http=0.0.0.0:8090", "--dir=/pb_data"]
