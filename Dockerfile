# kpibot: `kpibot serve` (Slack, scheduler, /metrics, /healthz) in a slim Python image, run as a non-root user.
# No secret is baked in: tokens, keys and the database URL come from the environment at run time
# (see compose.yaml), the configuration from a file mounted at /etc/kpibot/kpibot.toml.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY connectors connectors
COPY kpi kpi
COPY schedules schedules
RUN python -m venv /opt/kpibot && /opt/kpibot/bin/pip install --no-compile .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/kpibot kpibot
COPY --from=build /opt/kpibot /opt/kpibot
ENV PATH=/opt/kpibot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    KPIBOT_CONFIG=/etc/kpibot/kpibot.toml
WORKDIR /var/lib/kpibot
USER 10001:10001
EXPOSE 3000
# /healthz answers 503 when the database cannot be read or the scheduler missed three heartbeats.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
ENTRYPOINT ["kpibot", "--log-format", "json", "serve"]
CMD ["--port", "3000"]
