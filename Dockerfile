# Keymint on Node 22. Build stage compiles TypeScript; the runtime stage has production deps,
# the server and the console only (no tests, no benchmarks), and keeps its data in a volume.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/console ./dist/console
COPY migrations ./migrations
COPY LICENSE README.md ./
# `keymint …` on the PATH: docker compose exec keymint keymint keys list --project …
RUN chmod +x dist/src/cli.js && ln -s /app/dist/src/cli.js /usr/local/bin/keymint \
  && mkdir -p /home/node/data && chown node:node /home/node/data
USER node
ENV PORT=3000 HOST=0.0.0.0 DATA_DIR=/home/node/data
VOLUME ["/home/node/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
