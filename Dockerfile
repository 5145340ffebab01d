# One image for every service; docker-compose.yml picks the service by its command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
USER node
EXPOSE 4000 4001 4002
CMD ["npm", "run", "start:gateway"]
