# mock-entra as a container: one static binary with the playground built in, nothing else.
#
#   podman build -t mock-entra .            (or docker build)
#   podman run -p 127.0.0.1:8080:8080 -p 127.0.0.1:8443:8443 -v mock-entra-data:/data mock-entra
#
# The binary listens on loopback unless asked; this image asks (MOCK_ENTRA_LISTEN below), since
# a container's loopback is unreachable from its host. Publish the ports on the host's loopback
# (as above) unless you mean to expose the mock to a network. The CA the HTTPS listener uses is
# written to the /data volume on first start (/data/ca.pem): give it to your clients.
#
# Stage `build` compiles from source. A release pipeline that already built the binary
# (`cargo xtask dist --target x86_64-unknown-linux-musl`) can skip it by replacing the stage with
# that folder: `--build-context build=<folder holding out/mock-entra and an empty out/data>`.

FROM docker.io/library/rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools \
    && rustup target add x86_64-unknown-linux-musl wasm32-unknown-unknown
WORKDIR /src
COPY . .
RUN cargo xtask dist --target x86_64-unknown-linux-musl \
    && mkdir -p /out/data && cp target/dist/mock-entra /out/mock-entra

FROM scratch AS runtime
COPY --from=build /out/mock-entra /mock-entra
# scratch has no mkdir: the data folder comes from the build stage, owned by the runtime user.
COPY --from=build --chown=65532:65532 /out/data /data
# Not root: any unprivileged uid works, the binary needs only the data volume.
USER 65532:65532
ENV MOCK_ENTRA_LISTEN=0.0.0.0:8080 \
    MOCK_ENTRA_TLS_LISTEN=0.0.0.0:8443 \
    MOCK_ENTRA_DATA_DIR=/data \
    MOCK_ENTRA_HEALTH_URL=http://127.0.0.1:8080
VOLUME ["/data"]
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/mock-entra", "healthcheck"]
ENTRYPOINT ["/mock-entra"]
CMD ["serve"]
