# The valtuusbotti image: a static binary (SQLite is pure Go, so no C library is needed) on a distroless base that
# has no shell and runs as a non-root user. Build: docker build -t valtuusbotti .
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/valtuusbotti ./cmd/valtuusbotti

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/valtuusbotti /valtuusbotti
# In a container the service listens on every interface; it then needs VALTUUS_BOT_APP_ID (authenticated traffic).
ENV VALTUUS_LISTEN_ADDR=0.0.0.0:3978
EXPOSE 3978
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/valtuusbotti", "health"]
ENTRYPOINT ["/valtuusbotti"]
CMD ["serve"]
