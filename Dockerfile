# One image for every docstore service; the compose file picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production
USER node
