# Packr registry image: Bun, production dependencies only, non-root, data under /data.
# Build: docker build -t packr .    Run: docker run -p 4873:4873 -v packr-data:/data packr
FROM oven/bun:1.4.5-slim AS deps
WORKDIR /app
COPY package.json bun.lock bunfig.toml ./
COPY registry/package.json registry/
COPY scoring/package.json scoring/
COPY sdk/package.json sdk/
COPY mcp-server/package.json mcp-server/
# No lifecycle scripts: the only one builds the MCP server's Node bundle, which the image does not serve.
RUN bun install --frozen-lockfile --production --ignore-scripts

FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4873 \
    DATA_DIR=/data
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/registry/node_modules registry/node_modules
COPY --from=deps /app/scoring/node_modules scoring/node_modules
COPY --from=deps /app/sdk/node_modules sdk/node_modules
COPY --from=deps /app/mcp-server/node_modules mcp-server/node_modules
COPY package.json bun.lock bunfig.toml ./
# The registry imports the agent API's schemas (sdk) and serves the MCP server at /mcp (mcp-server).
COPY registry registry
COPY scoring scoring
COPY sdk/package.json sdk/
COPY sdk/src sdk/src
COPY mcp-server/package.json mcp-server/
COPY mcp-server/src mcp-server/src
RUN mkdir -p /data && chown bun:bun /data
USER bun
VOLUME /data
EXPOSE 4873
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4873) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "registry/src/main.ts"]
